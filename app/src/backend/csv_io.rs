//! CSV as spreadsheets write and read it (Excel, LibreOffice, Google Sheets): the bytes of an
//! uploaded file into a table of text cells, and a table back into a file Excel opens
//! correctly. Parsing is the `csv` crate's; decoding is `encoding_rs`'s.
use std::borrow::Cow;

/// The largest file an import accepts.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// A parsed file: its header row, and each data row with its row number as the spreadsheet
/// shows it (the header is row 1; a cell with a line break is still one row), blank rows
/// dropped. Cells are trimmed, and an exported formula's protecting apostrophe is removed.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Text from a file's bytes: UTF-8 (a byte-order mark is dropped), or else Windows-1252,
/// which is what Excel on Windows writes for "CSV" (not "CSV UTF-8").
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// Parses the decoded text. Refuses, with what to do, a file that is empty, has no header,
/// or is separated by semicolons (a European Excel's "CSV").
pub fn read(text: &str) -> Result<Table, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("The file could not be read as CSV: {e}"))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    while headers.last().is_some_and(|h| h.is_empty()) {
        headers.pop();
    }
    if headers.is_empty() {
        return Err(
            "The file is empty: the first row must name the columns (for example Name, Email, Organisation).".into(),
        );
    }
    if headers.len() == 1 && headers[0].contains(';') {
        return Err("The file's columns are separated by semicolons. Save it as “CSV (comma delimited)” or “CSV UTF-8” and upload it again.".into());
    }
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("The file could not be read as CSV: {e}"))?;
        // The header is row 1; each record is one row, whatever line breaks its cells hold.
        let line = index + 2;
        let mut cells: Vec<String> = record
            .iter()
            .map(|c| unsafe_cell(c.trim()).replace("\r\n", "\n"))
            .collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        cells.resize(headers.len().max(cells.len()), String::new());
        rows.push((line, cells));
    }
    Ok(Table { headers, rows })
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or CR first) gets a
/// leading apostrophe, which spreadsheets show as text.
pub fn safe_cell(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Undoes [`safe_cell`] on import, so an exported file re-imports unchanged.
pub fn unsafe_cell(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => s,
    }
}

/// A CSV file Excel opens as UTF-8: a byte-order mark, CRLF line ends, every cell made safe.
pub fn write<I, R>(headers: &[&str], rows: I) -> Vec<u8>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = String>,
{
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        // Writing to a Vec cannot fail.
        let _ = w.write_record(headers);
        for row in rows {
            let cells: Vec<String> = row.into_iter().map(|c| safe_cell(&c).into_owned()).collect();
            let _ = w.write_record(&cells);
        }
        let _ = w.flush();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/fixtures/csv/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn excel_utf8_with_bom_and_crlf() {
        let t = read(&decode(&fixture("excel-utf8-bom.csv"))).unwrap();
        assert_eq!(t.headers[0], "Name", "the BOM is not part of the first header");
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].1[0], "Zoë Ashworth");
        assert!(!t.rows[1].1.iter().any(|c| c.contains('\r')));
    }

    #[test]
    fn windows_1252_falls_back() {
        let t = read(&decode(&fixture("excel-windows-1252.csv"))).unwrap();
        assert_eq!(t.rows[0].1[0], "Zoë Ashworth");
        assert_eq!(t.rows[0].1[3], "St Mary’s Hospice");
    }

    #[test]
    fn quoted_fields_with_commas_quotes_and_newlines() {
        let t = read(&decode(&fixture("quoted-newlines.csv"))).unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(
            t.rows[0].1[3],
            "Sandwell and West Birmingham Hospitals NHS Trust, \"SWBH\""
        );
        assert_eq!(t.rows[0].1[2], "Lead for advanced practice\nand workforce");
        // Rows are numbered as the spreadsheet numbers them: a cell with a line break is still
        // one row, so the second contact is row 3 though it starts on the file's fourth line.
        assert_eq!(t.rows[1].0, 3);
    }

    #[test]
    fn blank_lines_and_trailing_empty_columns_are_ignored() {
        let t = read(&decode(&fixture("blank-lines-trailing-columns.csv"))).unwrap();
        assert_eq!(t.headers, ["Name", "Email", "Organisation"]);
        assert_eq!(t.rows.len(), 2);
    }

    #[test]
    fn semicolons_are_refused_with_what_to_do() {
        let e = read(&decode(&fixture("semicolons.csv"))).unwrap_err();
        assert!(e.contains("semicolons") && e.contains("comma delimited"), "{e}");
    }

    #[test]
    fn formulas_are_neutralised_on_export_and_restored_on_import() {
        for evil in ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            let safe = safe_cell(evil);
            assert!(safe.starts_with('\''), "{evil:?}");
            assert_eq!(unsafe_cell(&safe), evil);
        }
        assert_eq!(safe_cell("O'Brien"), "O'Brien");
        assert_eq!(
            unsafe_cell("'quoted"),
            "'quoted",
            "an apostrophe the person typed stays"
        );
        let file = write(&["Name"], vec![vec!["=1+1".to_string()]]);
        assert!(file.starts_with(b"\xEF\xBB\xBF"));
        let t = read(&decode(&file)).unwrap();
        assert_eq!(t.rows[0].1[0], "=1+1", "read back as it was before the export");
        assert!(String::from_utf8(file).unwrap().contains("\r\n"));
    }
}
