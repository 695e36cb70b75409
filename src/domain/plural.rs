//! Counts in words with the right plural form ("1 invitation", "2 invitations"), so no
//! message ever says "1 invitations".

/// `n` and the noun: `one` for exactly one, `many` otherwise (0 included).
pub fn count(n: impl Into<i64>, one: &str, many: &str) -> String {
    match n.into() {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// The same for a `usize` (lengths of lists).
pub fn count_of(n: usize, one: &str, many: &str) -> String {
    count(i64::try_from(n).unwrap_or(i64::MAX), one, many)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_everything_else_plural() {
        assert_eq!(count(1, "invitation", "invitations"), "1 invitation");
        assert_eq!(count(0, "invitation", "invitations"), "0 invitations");
        assert_eq!(count(2, "invitation", "invitations"), "2 invitations");
        assert_eq!(count_of(1, "address", "addresses"), "1 address");
        assert_eq!(count_of(3, "address", "addresses"), "3 addresses");
    }
}
