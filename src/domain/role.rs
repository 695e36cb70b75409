//! Roles, plans and membership statuses, and the rules that relate them.

use std::fmt;

/// A member's role in a workspace, highest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Viewer,
    Member,
    Admin,
    Owner,
}

impl Role {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "owner" => Some(Self::Owner),
            "admin" => Some(Self::Admin),
            "member" => Some(Self::Member),
            "viewer" => Some(Self::Viewer),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Member => "member",
            Self::Viewer => "viewer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Owner => "Owner",
            Self::Admin => "Admin",
            Self::Member => "Member",
            Self::Viewer => "Viewer",
        }
    }

    /// Owner, Admin and Member hold a paid seat; Viewer does not.
    pub fn holds_seat(self) -> bool {
        self != Self::Viewer
    }

    /// Owners and Admins manage the workspace.
    pub fn is_admin(self) -> bool {
        self >= Self::Admin
    }

    /// Nobody grants a role above their own, and Owner is only given by transfer.
    pub fn can_grant(self, other: Role) -> bool {
        other != Self::Owner && other <= self
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A workspace's plan: sets the default seat count and the invitation quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    Trial,
    Business,
    Enterprise,
}

impl Plan {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "trial" => Some(Self::Trial),
            "business" => Some(Self::Business),
            "enterprise" => Some(Self::Enterprise),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trial => "trial",
            Self::Business => "business",
            Self::Enterprise => "enterprise",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Trial => "Trial",
            Self::Business => "Business",
            Self::Enterprise => "Enterprise",
        }
    }

    /// Seats a new workspace on this plan starts with.
    pub fn default_seats(self) -> i64 {
        match self {
            Self::Trial => 10,
            Self::Business => 50,
            Self::Enterprise => 500,
        }
    }
}

/// Whether a membership currently grants access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipStatus {
    Active,
    Suspended,
}

impl MembershipStatus {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "suspended" => Some(Self::Suspended),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Suspended => "Suspended",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobody_grants_above_their_own_role_or_owner() {
        assert!(Role::Admin.can_grant(Role::Admin));
        assert!(Role::Admin.can_grant(Role::Viewer));
        assert!(!Role::Admin.can_grant(Role::Owner));
        assert!(!Role::Owner.can_grant(Role::Owner));
        assert!(!Role::Member.can_grant(Role::Admin));
    }

    #[test]
    fn roles_round_trip_and_only_viewers_lack_seats() {
        for role in [Role::Owner, Role::Admin, Role::Member, Role::Viewer] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert_eq!(role.holds_seat(), role != Role::Viewer);
        }
        assert_eq!(Role::parse("reviewer"), None);
    }
}
