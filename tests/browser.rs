//! The home page's script corrects "on call now" in a real browser for a site
//! built days ago. Needs Chromium; skipped with a message when it is missing.

mod common;

use std::path::Path;

use chrono::{DateTime, Utc};
use common::Test;
use common::web::{chromium, dump_dom, serve};

/// The person on call at `now` according to the site's schedule.json.
fn on_call(site: &Path, now: DateTime<Utc>) -> (String, String) {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(site.join("api/schedule.json")).unwrap()).unwrap();
    let shift = json["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            let t = |k: &str| s[k].as_str().unwrap().parse::<DateTime<Utc>>().unwrap();
            t("start") <= now && now < t("end")
        })
        .expect("the schedule covers now");
    (shift["id"].as_str().unwrap().to_string(), shift["person"].as_str().unwrap().to_string())
}

#[test]
fn the_home_page_corrects_now_for_a_site_built_a_week_ago() {
    let Some(chromium) = chromium() else {
        common::missing_tool("Chromium", "apt-get install chromium, or set CHROMIUM");
        return;
    };
    // Built a week ago: the build-time answer is last week's shift.
    let real_now = Utc::now();
    let built_at = real_now - chrono::Duration::days(7);
    let built = built_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let run = Test::fixture("basic").args(["build", "--now", built.as_str()]).run().success();
    let site = run.dir.join("site");
    let (old_id, old_person) = on_call(&site, built_at);
    let (id, person) = on_call(&site, real_now);
    assert_ne!(old_id, id);
    let html = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(html.contains(&format!("This shift: {old_id}")), "{html}");

    let server = serve(site);
    let dom = dump_dom(&chromium, &server.url("/"));
    assert!(dom.contains(&format!("This shift: {id}")), "not corrected to {id}:\n{dom}");
    assert!(
        dom.contains(&format!(
            "<span class=\"now-person\"><a class=\"person\" href=\"people/{person}/\">@{person}</a>"
        )),
        "not corrected to @{person} (built with @{old_person}):\n{dom}"
    );
    assert!(dom.contains("Checked in your browser"), "{dom}");
}
