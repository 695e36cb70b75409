//! Reading the addresses someone pasted (commas, spaces, new lines) or uploaded as CSV
//! (an address per row, optionally with a role column).

use crate::domain::Role;

/// One address as given, with the role its CSV row named, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressLine {
    pub address: String,
    pub role: Option<String>,
}

impl AddressLine {
    pub fn plain(address: &str) -> Self {
        Self {
            address: address.to_string(),
            role: None,
        }
    }

    /// The role for this address: its own column, else the dialog's choice.
    pub fn role(&self, default: Role) -> Result<Role, &'static str> {
        match self.role.as_deref().map(str::trim) {
            None | Some("") => Ok(default),
            Some(name) => match Role::parse(&name.to_ascii_lowercase()) {
                Some(role) => Ok(role),
                None => Err("unknown role (use Admin, Member or Viewer)"),
            },
        }
    }
}

/// Splits pasted text on commas, semicolons, spaces and new lines.
pub fn split_addresses(text: &str) -> Vec<AddressLine> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|part| !part.is_empty())
        .map(AddressLine::plain)
        .collect()
}

/// Reads an uploaded CSV: a header row naming `email` (and optionally `role`) columns, or
/// rows of `address[,role]` without a header. Rows end at LF, CRLF or a lone CR.
pub fn parse_csv(bytes: &[u8]) -> Result<Vec<AddressLine>, &'static str> {
    let text = std::str::from_utf8(bytes).map_err(|_| "The CSV file must be UTF-8 text.")?;
    let text = text.trim_start_matches('\u{feff}');
    // A lone CR ends a row too (old Mac files), never lands inside an address.
    let mut rows = text
        .split(['\n', '\r'])
        .map(cells)
        .filter(|row| row.iter().any(|c| !c.is_empty()));
    let Some(first) = rows.next() else {
        return Err("The CSV file has no addresses.");
    };
    let has_header = !first.iter().any(|c| c.contains('@'));
    let (email_col, role_col) = if has_header {
        let find = |name: &str| first.iter().position(|c| c.eq_ignore_ascii_case(name));
        (
            find("email").ok_or("The CSV header needs an \"email\" column.")?,
            find("role"),
        )
    } else {
        (0, Some(1))
    };
    let data = (!has_header).then_some(first).into_iter().chain(rows);
    Ok(data
        .map(|row| AddressLine {
            address: row.get(email_col).cloned().unwrap_or_default(),
            role: role_col.and_then(|c| row.get(c).cloned()),
        })
        .collect())
}

/// The cells of one CSV line (double quotes around a cell are removed; `""` is a quote).
fn cells(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cell).trim().to_string()),
            _ => cell.push(c),
        }
    }
    out.push(cell.trim().to_string());
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::csv;

    #[test]
    fn pasted_addresses_split_on_commas_spaces_and_new_lines() {
        let got: Vec<String> = split_addresses("a@x.com, b@x.com\nc@x.com;d@x.com  e@x.com\r\n")
            .into_iter()
            .map(|l| l.address)
            .collect();
        assert_eq!(got, ["a@x.com", "b@x.com", "c@x.com", "d@x.com", "e@x.com"]);
    }

    #[test]
    fn csv_with_header_and_roles() {
        let rows =
            parse_csv(b"\xef\xbb\xbfName,Email,Role\nAnn,ann@x.com,admin\n\"Bo, Jr\",bo@x.com,\n")
                .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].address, "ann@x.com");
        assert_eq!(rows[0].role(Role::Member), Ok(Role::Admin));
        assert_eq!(rows[1].address, "bo@x.com");
        assert_eq!(rows[1].role(Role::Member), Ok(Role::Member));
    }

    #[test]
    fn csv_without_header_and_bad_files() {
        let rows = parse_csv(b"ann@x.com,Viewer\nbo@x.com\n").unwrap();
        assert_eq!(rows[0].role(Role::Member), Ok(Role::Viewer));
        assert_eq!(rows[1].role(Role::Member), Ok(Role::Member));
        assert!(parse_csv(b"name,phone\nAnn,1\n").is_err());
        assert!(parse_csv(b"\xff\xfe").is_err());
        assert!(parse_csv(b"\n\n").is_err());
        assert!(
            AddressLine {
                address: "a@x.com".into(),
                role: Some("boss".into())
            }
            .role(Role::Member)
            .is_err()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_uploads_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = parse_csv(&bytes);
        }

        #[test]
        fn csv_like_uploads_give_one_line_per_row_and_no_line_breaks(
            text in "[a-z@.,\"\r\n ]{0,200}"
        ) {
            if let Ok(rows) = parse_csv(text.as_bytes()) {
                prop_assert!(rows.len() <= text.split(['\n', '\r']).count());
                for row in rows {
                    prop_assert!(!row.address.contains(['\r', '\n']));
                    prop_assert!(!row.role.unwrap_or_default().contains(['\r', '\n']));
                }
            }
        }

        #[test]
        fn what_our_csv_writer_writes_reads_back(
            rows in proptest::collection::vec(
                ("[a-z0-9]{1,10}@[a-z]{1,8}\\.com", "[A-Za-z ,\"=+-]{0,12}"),
                1..20,
            )
        ) {
            let mut file = csv::record(["name", "email", "role"]);
            for (address, name) in &rows {
                file.push_str(&csv::record([name.as_str(), address, "viewer"]));
            }
            let read = parse_csv(file.as_bytes()).unwrap();
            prop_assert_eq!(read.len(), rows.len());
            for (line, (address, _)) in read.iter().zip(&rows) {
                prop_assert_eq!(&line.address, address);
                prop_assert_eq!(line.role(Role::Member), Ok(Role::Viewer));
            }
        }
    }
}
