//! A small bar chart of counts over days, drawn as SVG on the server so the
//! first HTML response holds it whole (no script draws it). The figure is
//! named for screen readers, each bar carries its day and count as a
//! tooltip, and the same numbers are in a table under it for those who
//! would rather read them.
//!
//! The bars use Designsystemet's accent colour, whose contrast with the page
//! is well above the 3:1 that WCAG 1.4.11 asks of graphical objects.

use crate::i18n::use_locale;
use leptos::prelude::*;

/// One bar: its label (a day) and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
}

const WIDTH: i64 = 600;
const HEIGHT: i64 = 120;
/// Room for the labels under the bars.
const AXIS: i64 = 18;

/// The bar's top and height in the drawing, for a chart whose tallest bar is `max`.
fn bar_height(value: i64, max: i64) -> i64 {
    if max <= 0 || value <= 0 {
        return 0;
    }
    // A bar that is not zero stays visible, however small.
    ((value * (HEIGHT - AXIS)) / max).max(2)
}

/// A bar chart of `bars`, oldest first. `title` names it; `value_label` heads
/// the numbers' column in the table.
#[component]
pub fn BarChart(bars: Vec<Bar>, title: String, value_label: String, id: &'static str) -> impl IntoView {
    let locale = use_locale();
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let total: i64 = bars.iter().map(|b| b.value).sum();
    let n = bars.len().max(1) as i64;
    let slot = WIDTH / n;
    let first = bars.first().map(|b| b.label.clone()).unwrap_or_default();
    let last = bars.last().map(|b| b.label.clone()).unwrap_or_default();
    let summary = locale.t("chart.summary").replace("{total}", &total.to_string()).replace("{max}", &max.to_string());
    let title_id = format!("{id}-title");
    let rows = bars.clone();
    view! {
        <figure class="mt-4 max-w-2xl" aria-labelledby=title_id.clone()>
            <figcaption id=title_id.clone() class="font-semibold">{title.clone()}</figcaption>
            <p class="text-sm">{summary.clone()}</p>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") class="mt-2 w-full" role="img" aria-label=format!("{title}. {summary}") data-chart=id>
                <line x1="0" y1=HEIGHT - AXIS x2=WIDTH y2=HEIGHT - AXIS stroke="#68707c" stroke-width="1"/>
                {bars.into_iter().enumerate().map(|(i, b)| {
                    let h = bar_height(b.value, max);
                    let x = i as i64 * slot + 1;
                    view! {
                        <rect x=x y=HEIGHT - AXIS - h width=(slot - 2).max(1) height=h fill="#0062ba" data-value=b.value>
                            <title>{format!("{}: {}", b.label, b.value)}</title>
                        </rect>
                    }
                }).collect_view()}
                <text x="0" y=HEIGHT - 4 font-size="12" fill="#1e2b3c">{first}</text>
                <text x=WIDTH y=HEIGHT - 4 font-size="12" fill="#1e2b3c" text-anchor="end">{last}</text>
            </svg>
            <details class="mt-2">
                <summary class="cursor-pointer underline">{locale.t("chart.as_table")}</summary>
                <table class="ds-table mt-2 text-left" data-size="sm">
                    <thead><tr><th scope="col">{locale.t("chart.day")}</th><th scope="col">{value_label}</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|b| view! { <tr><td>{b.label}</td><td>{b.value}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_tallest_and_small_ones_stay_visible() {
        assert_eq!(bar_height(0, 10), 0);
        assert_eq!(bar_height(10, 10), HEIGHT - AXIS);
        assert_eq!(bar_height(5, 10), (HEIGHT - AXIS) / 2);
        assert_eq!(bar_height(1, 100_000), 2, "one token among many still shows");
        assert_eq!(bar_height(3, 0), 0, "no data, no bars");
    }
}
