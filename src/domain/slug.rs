//! Workspace slugs: the URL-safe name in /w/{slug}/...

/// Turns a workspace name into a slug: lower-case ASCII letters, digits and single hyphens.
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 40 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        "workspace".to_string()
    } else {
        slug
    }
}

/// Whether a path segment could be a slug at all (cheap check before a lookup).
pub fn looks_like_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 60
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(
            slugify("Acme Research & Development!"),
            "acme-research-development"
        );
        assert_eq!(slugify("  ¿¿ "), "workspace");
        assert_eq!(slugify("Café Zürich"), "caf-z-rich");
        assert!(looks_like_slug(&slugify(&"long name ".repeat(20))));
    }
}
