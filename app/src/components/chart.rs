//! A horizontal bar chart of percentages as inline SVG, rendered on the server (it reads
//! without JavaScript and prints). The SVG is described for screen readers in one sentence;
//! the page always shows the same figures in a table beside it.
use leptos::prelude::*;

/// A percentage as the charts' tables show it: "75%", or "–" when there is no figure.
pub fn percent(v: Option<u32>) -> String {
    v.map(|v| format!("{v}%")).unwrap_or_else(|| "–".into())
}

const WIDTH: f64 = 600.0;
const LABEL: f64 = 220.0;
const ROW: f64 = 26.0;

/// `rows`: (label, percent). A row without a figure is drawn as "no figure".
#[component]
pub fn PercentBars(rows: Vec<(String, Option<u32>)>, #[prop(into)] title: String) -> impl IntoView {
    let description = format!(
        "{title}: {}.",
        rows.iter()
            .map(|(l, v)| match v {
                Some(v) => format!("{l} {v}%"),
                None => format!("{l} no figure"),
            })
            .collect::<Vec<_>>()
            .join("; ")
    );
    let height = ROW * rows.len().max(1) as f64;
    let bar = WIDTH - LABEL - 50.0;
    view! {
        <figure class="bar-chart">
            <svg
                viewBox=format!("0 0 {WIDTH} {height}")
                width="100%"
                role="img"
                aria-label=description.clone()
                xmlns="http://www.w3.org/2000/svg"
            >
                {rows
                    .into_iter()
                    .enumerate()
                    .map(|(i, (label, value))| {
                        let y = i as f64 * ROW;
                        let w = value.map(|v| bar * f64::from(v.min(100)) / 100.0).unwrap_or(0.0);
                        view! {
                            <text x=LABEL - 8.0 y=y + 17.0 font-size="13" text-anchor="end">
                                {label}
                            </text>
                            <rect x=LABEL y=y + 4.0 width=format!("{bar:.1}") height=ROW - 8.0 fill="#e8edee" />
                            <rect x=LABEL y=y + 4.0 width=format!("{w:.1}") height=ROW - 8.0 fill="#005eb8" />
                            <text x=LABEL + w + 6.0 y=y + 17.0 font-size="13">
                                {value.map(|v| format!("{v}%")).unwrap_or_else(|| "no figure".into())}
                            </text>
                        }
                    })
                    .collect_view()}
            </svg>
            <figcaption class="visually-hidden">{description}</figcaption>
        </figure>
    }
}
