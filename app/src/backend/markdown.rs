//! Markdown written by users (status commentary, briefing bodies) rendered to HTML that is
//! safe to put in a page or an email: raw HTML is shown as text, links keep only safe schemes,
//! and remote images become their alt text (no tracking pixels, no script).
use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
        || lower.starts_with('/')
        || lower.starts_with('#')
}

pub fn to_html(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TABLES);
    let events = Parser::new_ext(markdown, options).filter_map(|event| match event {
        // Raw HTML in the source is displayed, not interpreted.
        Event::Html(h) | Event::InlineHtml(h) => Some(Event::Text(h)),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = if safe_url(&dest_url) {
                dest_url
            } else {
                CowStr::Borrowed("#")
            };
            Some(Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }))
        }
        // The image's alt text (the events inside) stays as plain text.
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        other => Some(other),
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

/// Plain text of a Markdown document, for the text part of an email.
pub fn to_text(markdown: &str) -> String {
    let mut out = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::CodeBlock) => {
                out.push_str("\n\n")
            }
            Event::Start(Tag::Item) => out.push_str("- "),
            Event::Start(Tag::Link { dest_url, .. }) if safe_url(&dest_url) => {
                out.push_str(&format!("[{dest_url}] "));
            }
            _ => {}
        }
    }
    let mut text = out.trim().to_string();
    while text.contains("\n\n\n") {
        text = text.replace("\n\n\n", "\n\n");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_and_script_do_not_survive() {
        let html = to_html("Hello <script>alert(1)</script> <b onclick=x>bold</b>\n\n<iframe src=x></iframe>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b "), "{html}");
        assert!(!html.contains("<iframe"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn unsafe_links_are_neutered_and_images_dropped() {
        let html = to_html("[x](javascript:alert(1)) [y](https://example.org) ![pixel](https://tracker.test/p.gif)");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("href=\"https://example.org\""), "{html}");
        assert!(!html.contains("<img"), "{html}");
    }

    #[test]
    fn markdown_still_formats() {
        let html = to_html("**Risk**: the *September* intake\n\n- one\n- two");
        assert!(
            html.contains("<strong>Risk</strong>") && html.contains("<li>one</li>"),
            "{html}"
        );
        assert_eq!(
            to_text("**Risk**: the intake\n\n- one\n- two"),
            "Risk: the intake\n\n- one\n\n- two"
        );
    }
}
