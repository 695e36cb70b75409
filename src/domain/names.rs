//! A person's first, last and display names, validated together.

/// Names as entered on sign-up or the account page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName {
    pub first: String,
    pub last: String,
    pub display: String,
}

/// Which field a name error belongs beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameField {
    First,
    Last,
    Display,
}

const MAX_NAME_CHARS: usize = 100;

impl PersonName {
    /// Trims each part; an empty display name becomes "First Last".
    pub fn parse(
        first: &str,
        last: &str,
        display: &str,
    ) -> Result<Self, (NameField, &'static str)> {
        let first = clean(first, NameField::First, "Enter your first name.")?;
        let last = clean(last, NameField::Last, "Enter your last name.")?;
        let display = match display.trim() {
            "" => format!("{first} {last}"),
            d if d.chars().count() > MAX_NAME_CHARS => {
                return Err((NameField::Display, "Use at most 100 characters."));
            }
            d if d.chars().any(char::is_control) => {
                return Err((NameField::Display, "Remove the control characters."));
            }
            d => d.to_string(),
        };
        Ok(Self {
            first,
            last,
            display,
        })
    }
}

fn clean(
    value: &str,
    field: NameField,
    empty: &'static str,
) -> Result<String, (NameField, &'static str)> {
    let value = value.trim();
    if value.is_empty() {
        return Err((field, empty));
    }
    if value.chars().count() > MAX_NAME_CHARS {
        return Err((field, "Use at most 100 characters."));
    }
    if value.chars().any(char::is_control) {
        return Err((field, "Remove the control characters."));
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_name_defaults_to_full_name() {
        let n = PersonName::parse(" Ada ", "Lovelace", " ").unwrap();
        assert_eq!(n.display, "Ada Lovelace");
    }

    #[test]
    fn each_missing_part_names_its_field() {
        assert_eq!(
            PersonName::parse("", "L", "").unwrap_err().0,
            NameField::First
        );
        assert_eq!(
            PersonName::parse("A", " ", "").unwrap_err().0,
            NameField::Last
        );
        let long = "x".repeat(101);
        assert_eq!(
            PersonName::parse("A", "L", &long).unwrap_err().0,
            NameField::Display
        );
    }
}
