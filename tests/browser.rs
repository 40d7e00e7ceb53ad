//! The home page's script corrects "on call now" in a real browser for a site
//! built days ago. Needs Chromium; skipped with a message when it is missing.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::Test;

fn chromium() -> Option<PathBuf> {
    let candidates = ["chromium", "chromium-browser", "google-chrome"];
    let from_env = std::env::var_os("CHROMIUM").map(PathBuf::from);
    from_env
        .into_iter()
        .chain(candidates.iter().map(PathBuf::from))
        .find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()))
}

/// Serves `root` on a loopback port for a bounded number of requests, since
/// browsers refuse `fetch` from `file://` pages.
fn serve(root: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(64) {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut request = String::new();
            if BufReader::new(&stream).read_line(&mut request).is_err() {
                continue;
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/").split('?').next().unwrap_or("/");
            let mut file = root.join(path.trim_start_matches('/'));
            if path.ends_with('/') {
                file = file.join("index.html");
            }
            let response = match (path.contains(".."), std::fs::read(&file)) {
                (false, Ok(body)) => {
                    let kind = match file.extension().and_then(|e| e.to_str()) {
                        Some("html") => "text/html; charset=utf-8",
                        Some("css") => "text/css",
                        Some("js") => "text/javascript",
                        Some("json") => "application/json",
                        _ => "application/octet-stream",
                    };
                    let mut head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    head.extend(body);
                    head
                }
                _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    port
}

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

    let port = serve(site);
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("http://127.0.0.1:{port}/"))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("<main"), "no page from Chromium:\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(dom.contains(&format!("This shift: {id}")), "not corrected to {id}:\n{dom}");
    assert!(
        dom.contains(&format!(
            "<span class=\"now-person\"><a class=\"person\" href=\"people/{person}/\">@{person}</a>"
        )),
        "not corrected to @{person} (built with @{old_person}):\n{dom}"
    );
    assert!(dom.contains("Checked in your browser"), "{dom}");
}
