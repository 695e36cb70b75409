//! One link expanded: who joined through it and when, and a server-rendered SVG chart
//! of its visits and joins per day over the last 30 days, with a count axis, day labels
//! and totals (no chart library in the browser). htmx puts it under the row; without JavaScript it is a page of its own.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::super::extract::Member;
use super::super::page::{Page, PageContext};
use crate::clock::format_date;
use crate::error::AppResult;
use crate::services::{Services, links};
use crate::store::links::{self as link_store, LinkDay, LinkJoiner};

const DAYS: i64 = 30;
const DAY: i64 = 86_400;
/// Plot geometry in SVG user units: room on the left for the count labels and below for
/// the day labels; each day has a slot with its visits bar and its joins bar side by side.
const LEFT: i64 = 34;
const TOP: i64 = 10;
const SLOT: i64 = 18;
const BAR: i64 = 7;
const CHART_HEIGHT: i64 = 120;
const BOTTOM: i64 = 24;
/// The days that get a label under the axis (the first, every week, the last).
const LABELLED: [i64; 5] = [0, 7, 14, 21, DAYS - 1];

/// One day's two bars, in SVG user units.
pub struct Bar {
    pub x: i64,
    pub visits_y: i64,
    pub visits_height: i64,
    pub joins_x: i64,
    pub joins_y: i64,
    pub joins_height: i64,
    pub label: String,
}

/// A label on an axis, at `x`, `y` (SVG user units).
pub struct Tick {
    pub x: i64,
    pub y: i64,
    pub label: String,
}

/// The chart: 30 days, the tallest bar scaled to the plot's height, a count axis on the
/// left (0 and the largest count) and a day axis below (a label a week), totals beside.
pub struct Chart {
    pub width: i64,
    pub height: i64,
    pub left: i64,
    pub top: i64,
    pub base: i64,
    pub right: i64,
    pub bars: Vec<Bar>,
    pub days: Vec<Tick>,
    pub counts: Vec<Tick>,
    pub first_day: String,
    pub last_day: String,
    pub visits: i64,
    pub joins: i64,
}

impl Chart {
    /// `days` are the stored days from `today - 29` on; missing days are zero.
    pub fn new(days: &[LinkDay], today: i64) -> Self {
        let first = today - (DAYS - 1);
        let max = days
            .iter()
            .map(|d| d.visits.max(d.joins))
            .max()
            .unwrap_or(0)
            .max(1);
        let scale = |n: i64| (n * CHART_HEIGHT + max - 1) / max;
        let base = TOP + CHART_HEIGHT;
        let bars = (0..DAYS)
            .map(|i| {
                let day = first + i;
                let found = days.iter().find(|d| d.day == day);
                let (visits, joins) = found.map_or((0, 0), |d| (d.visits, d.joins));
                let x = LEFT + i * SLOT + 2;
                Bar {
                    x,
                    visits_y: base - scale(visits),
                    visits_height: scale(visits),
                    joins_x: x + BAR,
                    joins_y: base - scale(joins),
                    joins_height: scale(joins),
                    label: format!("{}: {visits} visits, {joins} joins", format_date(day * DAY)),
                }
            })
            .collect();
        let day_ticks = LABELLED
            .iter()
            .map(|i| Tick {
                x: LEFT + i * SLOT + SLOT / 2,
                y: base + 16,
                label: short_day((first + i) * DAY),
            })
            .collect();
        let counts = [(0, base), (max, TOP)]
            .into_iter()
            .map(|(n, y)| Tick {
                x: LEFT - 6,
                y: y + 4,
                label: n.to_string(),
            })
            .collect();
        Self {
            width: LEFT + DAYS * SLOT + 20,
            height: base + BOTTOM,
            left: LEFT,
            top: TOP,
            base,
            right: LEFT + DAYS * SLOT,
            bars,
            days: day_ticks,
            counts,
            first_day: format_date(first * DAY),
            last_day: format_date(today * DAY),
            visits: days.iter().map(|d| d.visits).sum(),
            joins: days.iter().map(|d| d.joins).sum(),
        }
    }
}

/// "Nov 3": a day label under the chart.
fn short_day(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map_or_else(String::new, |d| d.format("%b %-d").to_string())
}

/// Who joined, when.
pub struct Joiner {
    pub name: String,
    pub email: String,
    pub joined: String,
}

impl From<LinkJoiner> for Joiner {
    fn from(j: LinkJoiner) -> Self {
        Self {
            name: j.display_name,
            email: j.email,
            joined: format_date(j.joined_at),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "links/_detail.html")]
struct DetailFragment {
    chart: Chart,
    joiners: Vec<Joiner>,
}

#[derive(Template, WebTemplate)]
#[template(path = "links/detail.html")]
struct DetailPage {
    page: Page,
    slug: String,
    chart: Chart,
    joiners: Vec<Joiner>,
}

pub async fn show(
    State(svc): State<Services>,
    member: Member,
    ctx: PageContext,
    Path((_, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let link = links::visible(&svc, &member.manager(), &id).await?;
    let pool = svc.store.pool();
    let today = svc.clock.now().div_euclid(DAY);
    let days = link_store::days(pool, &link.id, today - (DAYS - 1)).await?;
    let chart = Chart::new(&days, today);
    let joiners = link_store::joiners(pool, &member.workspace.id, &link.id)
        .await?
        .into_iter()
        .map(Joiner::from)
        .collect();
    if crate::web::extract::is_htmx(&headers) {
        return Ok(DetailFragment { chart, joiners }.into_response());
    }
    Ok(DetailPage {
        page: ctx.in_workspace(&member, "Invite link", "links"),
        slug: member.workspace.slug.clone(),
        chart,
        joiners,
    }
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_scales_the_tallest_bar_to_its_height_and_fills_missing_days() {
        let today = 20_000;
        let days = [
            LinkDay {
                day: today,
                visits: 10,
                joins: 5,
            },
            LinkDay {
                day: today - 29,
                visits: 1,
                joins: 0,
            },
        ];
        let chart = Chart::new(&days, today);
        assert_eq!(chart.bars.len(), 30);
        assert_eq!(chart.bars[29].visits_height, CHART_HEIGHT);
        assert_eq!(chart.bars[29].joins_height, CHART_HEIGHT / 2);
        assert_eq!(chart.bars[0].visits_height, 12);
        assert_eq!(chart.bars[15].visits_height, 0);
        assert_eq!((chart.visits, chart.joins), (11, 5));
        assert!(chart.bars[29].label.ends_with("10 visits, 5 joins"));
        assert_eq!(chart.bars[29].visits_y, TOP);
        let labels: Vec<&str> = chart.counts.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0", "10"], "the count axis");
        assert_eq!(chart.days.len(), 5, "a day label a week");
    }
}
