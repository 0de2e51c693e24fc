//! Query strings for the links of list pages (filters, sort, pages), so a view can be
//! bookmarked and works without JavaScript.

pub fn query_string(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `path` with the list's query (`base_query`, already encoded) and one more parameter, as a
/// pager's links need it; an empty `value` adds nothing.
pub fn link_with(path: &str, base_query: &str, key: &str, value: &str) -> String {
    let extra = query_string(&[(key, value)]);
    let query = [base_query, extra.as_str()]
        .into_iter()
        .filter(|q| !q.is_empty())
        .collect::<Vec<_>>()
        .join("&");
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pager_link_adds_its_parameter_to_the_lists_query() {
        assert_eq!(link_with("/audit", "", "before", "12.ab"), "/audit?before=12.ab");
        assert_eq!(
            link_with("/contacts", "q=zo%C3%AB", "page", "2"),
            "/contacts?q=zo%C3%AB&page=2"
        );
        assert_eq!(link_with("/audit", "record=x", "", ""), "/audit?record=x");
        assert_eq!(link_with("/audit", "", "", ""), "/audit");
    }

    #[test]
    fn empty_values_are_left_out_and_the_rest_encoded() {
        assert_eq!(query_string(&[("q", "Zoë & co"), ("kind", "")]), "q=Zo%C3%AB+%26+co");
    }
}
