//! CSV cells per RFC 4180, with cells a spreadsheet would run as a formula defused.

/// Appends one cell: a leading `= + - @ TAB CR` gets a `'` in front (so spreadsheets show
/// it as text), and the cell is quoted when it holds a comma, quote or line break.
pub fn push_cell(line: &mut String, value: &str) {
    let defused = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let needs_quotes = defused || value.contains([',', '"', '\r', '\n']);
    if needs_quotes {
        line.push('"');
        if defused {
            line.push('\'');
        }
        line.push_str(&value.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(value);
    }
}

/// One CSV record from its cells, ending in CRLF.
pub fn record<'a>(cells: impl IntoIterator<Item = &'a str>) -> String {
    let mut line = String::new();
    push_record(&mut line, cells);
    line
}

/// Appends one CSV record, ending in CRLF, to `out` (a download's chunk).
pub fn push_record<'a>(out: &mut String, cells: impl IntoIterator<Item = &'a str>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_cell(out, cell);
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_cells_stay_plain() {
        assert_eq!(record(["a", "b c", ""]), "a,b c,\r\n");
    }

    #[test]
    fn quotes_commas_and_line_breaks() {
        assert_eq!(
            record(["a,b", "say \"hi\"", "x\ny"]),
            "\"a,b\",\"say \"\"hi\"\"\",\"x\ny\"\r\n"
        );
    }

    #[test]
    fn formulas_are_defused() {
        for danger in ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx"] {
            let line = record([danger]);
            assert!(line.starts_with("\"'"), "{danger:?} became {line:?}");
        }
        assert_eq!(
            record(["=HYPERLINK(\"x\")"]),
            "\"'=HYPERLINK(\"\"x\"\")\"\r\n"
        );
    }
}
