//! Charts as inline SVG, drawn at build time so that they need no script.
//! Each has a `<title>` and `<desc>` for screen readers, colours come from
//! CSS classes (light, dark and print), and every page that shows one also
//! gives its figures as text.

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::html::escape as esc;
use crate::model::triage::Kind;
use crate::triage::{BacklogPoint, WeekCount};

const WIDTH: f64 = 720.0;
const LEFT: f64 = 34.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 26.0;

fn open_svg(out: &mut String, id: &str, height: f64, title: &str, desc: &str) {
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(desc)
    );
}

/// A round upper bound for an axis and the tick values under it.
fn axis(max: usize) -> (usize, Vec<usize>) {
    let max = max.max(1);
    let step = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000]
        .into_iter()
        .find(|s| max.div_ceil(*s) <= 5)
        .unwrap_or(max.div_ceil(5));
    let top = max.div_ceil(step) * step;
    (top, (0..=top / step).map(|k| k * step).collect())
}

fn y_axis(out: &mut String, ticks: &[usize], top: usize, plot_h: f64) {
    for &t in ticks {
        let y = TOP + plot_h - plot_h * t as f64 / top as f64;
        let _ = write!(
            out,
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text class="tick" x="{}" y="{:.1}" text-anchor="end">{t}</text>"#,
            WIDTH - RIGHT,
            LEFT - 4.0,
            y + 4.0
        );
    }
}

/// Month labels under week columns, where a new quarter's month begins.
fn x_labels(out: &mut String, starts: &[NaiveDate], col: f64, plot_h: f64) {
    use chrono::Datelike;
    let mut last_month = None;
    let mut last_label: Option<usize> = None;
    for (i, d) in starts.iter().enumerate() {
        let month = (d.year(), d.month());
        let quarter = last_month.is_some_and(|m| m != month) && d.month() % 3 == 1;
        if (quarter || i == 0) && last_label.is_none_or(|l| i - l >= 6) {
            last_label = Some(i);
            let x = LEFT + col * i as f64;
            let _ = write!(
                out,
                r#"<text class="tick" x="{x:.1}" y="{:.1}">{}</text>"#,
                TOP + plot_h + 16.0,
                d.format("%b %Y")
            );
        }
        last_month = Some(month);
    }
}

/// Failures on `main` per week, stacked by kind.
pub fn weekly_by_kind(weeks: &[WeekCount]) -> String {
    let height = 220.0;
    let plot_h = height - TOP - BOTTOM;
    let total: usize = weeks.iter().map(WeekCount::total).sum();
    let by_kind: Vec<String> = Kind::ALL
        .iter()
        .map(|k| format!("{} {}", weeks.iter().map(|w| w.get(*k)).sum::<usize>(), k.as_str()))
        .collect();
    let busiest =
        weeks.iter().filter(|w| w.total() > 0).max_by_key(|w| (w.total(), std::cmp::Reverse(w.start)));
    let mut desc = format!(
        "{total} failure{} in the {} weeks from {}: {}.",
        if total == 1 { "" } else { "s" },
        weeks.len(),
        weeks.first().map(|w| w.start.to_string()).unwrap_or_default(),
        by_kind.join(", ")
    );
    if let Some(b) = busiest {
        let _ = write!(desc, " The busiest week began {} with {}.", b.start, b.total());
    }
    let mut out = String::new();
    open_svg(&mut out, "weekly", height, "Failures on main per week, by kind", &desc);
    let (top, ticks) = axis(weeks.iter().map(WeekCount::total).max().unwrap_or(0));
    y_axis(&mut out, &ticks, top, plot_h);
    let col = (WIDTH - LEFT - RIGHT) / weeks.len().max(1) as f64;
    for (i, w) in weeks.iter().enumerate() {
        let x = LEFT + col * i as f64 + col * 0.1;
        let mut y = TOP + plot_h;
        for kind in Kind::ALL {
            let n = w.get(kind);
            if n == 0 {
                continue;
            }
            let h = plot_h * n as f64 / top as f64;
            y -= h;
            let _ = write!(
                out,
                r#"<rect class="k-{}" x="{x:.1}" y="{y:.1}" width="{:.1}" height="{h:.1}"><title>Week of {}: {n} {}</title></rect>"#,
                kind.as_str(),
                col * 0.8,
                w.start,
                kind.as_str()
            );
        }
    }
    let starts: Vec<NaiveDate> = weeks.iter().map(|w| w.start).collect();
    x_labels(&mut out, &starts, col, plot_h);
    out.push_str("</svg>");
    out
}

/// Open and disabled items by the week they were first seen.
pub fn backlog(points: &[BacklogPoint]) -> String {
    let height = 200.0;
    let plot_h = height - TOP - BOTTOM;
    let last = points.last();
    let desc = format!(
        "Today {} open and {} disabled, counted from the week each was first seen.",
        last.map_or(0, |p| p.open),
        last.map_or(0, |p| p.disabled)
    );
    let mut out = String::new();
    open_svg(&mut out, "backlog", height, "Open and disabled tests over time", &desc);
    let (top, ticks) = axis(points.iter().map(|p| p.open.max(p.disabled)).max().unwrap_or(0));
    y_axis(&mut out, &ticks, top, plot_h);
    let col = (WIDTH - LEFT - RIGHT) / points.len().max(1) as f64;
    for (class, value) in [("s-open", 0), ("s-disabled", 1)] {
        let coords: Vec<String> = points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let v = if value == 0 { p.open } else { p.disabled };
                let x = LEFT + col * (i as f64 + 0.5);
                let y = TOP + plot_h - plot_h * v as f64 / top as f64;
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let _ = write!(out, r#"<polyline class="{class}" fill="none" points="{}"/>"#, coords.join(" "));
    }
    let starts: Vec<NaiveDate> = points.iter().map(|p| p.start).collect();
    x_labels(&mut out, &starts, col, plot_h);
    out.push_str("</svg>");
    out
}

/// One bar a test: label, link and occurrences.
pub struct Bar {
    pub label: String,
    pub full: String,
    pub href: String,
    pub value: usize,
}

/// The tests that failed most often, as horizontal bars that link to them.
pub fn top_tests(bars: &[Bar]) -> String {
    let row = 26.0;
    let height = TOP + row * bars.len().max(1) as f64 + 4.0;
    let label_w = 300.0;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(1).max(1);
    let desc: Vec<String> = bars.iter().map(|b| format!("{}: {}", b.full, b.value)).collect();
    let mut out = String::new();
    open_svg(&mut out, "top", height, "Top flaky tests by failures on main", &desc.join("; "));
    for (i, b) in bars.iter().enumerate() {
        let y = TOP + row * i as f64;
        let w = (WIDTH - label_w - 40.0) * b.value as f64 / max as f64;
        let _ = write!(
            out,
            r#"<a href="{}"><title>{}</title><text class="label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect class="k-flaky" x="{label_w}" y="{:.1}" width="{w:.1}" height="{:.1}"/><text class="tick" x="{:.1}" y="{:.1}">{}</text></a>"#,
            esc(&b.href),
            esc(&b.full),
            label_w - 8.0,
            y + 16.0,
            esc(&b.label),
            y + 4.0,
            row - 8.0,
            label_w + w + 6.0,
            y + 16.0,
            b.value
        );
    }
    out.push_str("</svg>");
    out
}

/// One week of a test's strip.
pub struct Cell {
    pub start: NaiveDate,
    pub count: usize,
    /// The kind of the failures that week, for the colour.
    pub kind: Option<Kind>,
}

/// A TestGrid-style strip: a square per week, coloured where the test failed.
pub fn strip(test: &str, cells: &[Cell]) -> String {
    let cell = 14.0;
    let gap = 2.0;
    let width = (cell + gap) * cells.len().max(1) as f64;
    let height = cell + 18.0;
    let failed = cells.iter().filter(|c| c.count > 0).count();
    let desc = format!(
        "{failed} of {} weeks from {} had failures of {test}.",
        cells.len(),
        cells.first().map(|c| c.start.to_string()).unwrap_or_default()
    );
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="strip" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" role="img" aria-labelledby="strip-t strip-d" xmlns="http://www.w3.org/2000/svg"><title id="strip-t">Failures per week</title><desc id="strip-d">{}</desc>"#,
        esc(&desc)
    );
    let mut last_year = None;
    for (i, c) in cells.iter().enumerate() {
        use chrono::Datelike;
        let x = (cell + gap) * i as f64;
        let class = match c.kind {
            Some(k) if c.count > 0 => format!("k-{}", k.as_str()),
            _ => "cell-none".to_string(),
        };
        let what = match c.count {
            0 => "no failure recorded".to_string(),
            1 => "1 failure".to_string(),
            n => format!("{n} failures"),
        };
        let _ = write!(
            out,
            r#"<rect class="{class}" x="{x:.0}" y="0" width="{cell}" height="{cell}" rx="2"><title>Week of {}: {what}</title></rect>"#,
            c.start
        );
        if last_year != Some(c.start.year()) || (c.start.month() == 1 && c.start.day() <= 7) {
            let _ = write!(
                out,
                r#"<text class="tick" x="{x:.0}" y="{:.0}">{}</text>"#,
                cell + 14.0,
                c.start.format("%b %Y")
            );
            last_year = Some(c.start.year());
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_are_round() {
        assert_eq!(axis(0), (1, vec![0, 1]));
        assert_eq!(axis(7), (8, vec![0, 2, 4, 6, 8]));
        assert_eq!(axis(23), (25, vec![0, 5, 10, 15, 20, 25]));
    }

    #[test]
    fn charts_escape_labels_and_describe_themselves() {
        let svg = top_tests(&[Bar { label: "<b>".into(), full: "a&b".into(), href: "x".into(), value: 3 }]);
        assert!(svg.contains("&lt;b&gt;") && svg.contains("a&amp;b: 3"), "{svg}");
        assert!(svg.contains("<title id=\"top-t\">") && svg.contains("<desc id=\"top-d\">"));
    }
}
