//! The placeholder shown where a person without a picture would have one (header, member
//! rows, member page, join requests): their initials on one of a few colours picked from
//! their account id, so names line up and the same person always looks the same. It is
//! decorative (the name is always beside it), rendered on the server, and coloured by a
//! fixed set of CSS classes (`avatar-c0` … in app.css), because the CSP allows no inline
//! styles. The templates call these through the `avatar` macro in macros.html.

/// The colour classes, each defined in app.css for the light and the dark scheme.
const COLOURS: [&str; 8] = [
    "avatar-c0",
    "avatar-c1",
    "avatar-c2",
    "avatar-c3",
    "avatar-c4",
    "avatar-c5",
    "avatar-c6",
    "avatar-c7",
];

/// Up to two letters: the first of the first word and of the last word ("Ada Lovelace" →
/// "AL", "Cher" → "C"). Words that start with no letter or digit are skipped; a name
/// without any gives its first character, and an empty one "?".
pub fn initials(name: &str) -> String {
    let mut firsts = name
        .split_whitespace()
        .filter_map(|word| word.chars().next())
        .filter(|c| c.is_alphanumeric());
    let (first, last) = match firsts.next() {
        Some(first) => (first, firsts.next_back()),
        None => match name.trim().chars().next() {
            Some(only) => (only, None),
            None => return "?".to_string(),
        },
    };
    first
        .to_uppercase()
        .chain(last.into_iter().flat_map(char::to_uppercase))
        .collect()
}

/// The colour class for an account: FNV-1a over its id, so it never changes.
pub fn colour_class(account_id: &str) -> &'static str {
    let hash = account_id.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    let at = usize::try_from(hash).unwrap_or(0) % COLOURS.len();
    COLOURS[at]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_take_the_first_and_last_words() {
        assert_eq!(initials("Ada Lovelace"), "AL");
        assert_eq!(
            initials("Maximilian Alexander Montgomery-Worthington"),
            "MM"
        );
        assert_eq!(initials("cher"), "C");
        assert_eq!(initials("  Bo   li "), "BL");
        assert_eq!(initials("Émile Zola"), "ÉZ");
        assert_eq!(initials("Ray (contractor)"), "R");
        assert_eq!(initials("🙂"), "🙂");
        assert_eq!(initials("   "), "?");
    }

    #[test]
    fn one_account_always_has_one_colour_and_accounts_spread_over_all() {
        let id = "0b1f4a52-8d7e-4a55-9c61-5f3f4b8e2d10";
        assert_eq!(colour_class(id), colour_class(id));
        let used: std::collections::HashSet<&str> = (0..200)
            .map(|i| colour_class(&format!("00000000-0000-4000-8000-{i:012}")))
            .collect();
        assert_eq!(used.len(), COLOURS.len(), "every colour is used");
    }
}
