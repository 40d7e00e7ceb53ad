//! `rota serve`: a local preview. The site is rendered into memory and served
//! from there; the data and template folders are polled, and pages reload
//! themselves after a rebuild. For previews only: it binds to loopback.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use crate::render::Output;

/// The latest good build, and a counter the pages poll to know when to reload.
#[derive(Default)]
struct Served {
    output: Output,
    generation: u64,
}

/// Serves builds from `rebuild` on `127.0.0.1:port` until the process ends.
/// `rebuild` returns `None` when the data has errors (it reports them itself);
/// the last good build stays up meanwhile.
pub fn run(
    port: u16,
    watch: Vec<PathBuf>,
    mut rebuild: impl FnMut() -> Option<Output>,
) -> std::io::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let served = Arc::new(RwLock::new(Served::default()));
    if let Some(output) = rebuild() {
        publish(&served, output);
    }
    eprintln!("serving on http://{}/ (Ctrl-C to stop)", listener.local_addr()?);
    let server = Arc::clone(&served);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let served = Arc::clone(&server);
            std::thread::spawn(move || {
                let _ = respond(stream, &served);
            });
        }
    });
    let mut seen = fingerprint(&watch);
    loop {
        std::thread::sleep(Duration::from_millis(400));
        let now = fingerprint(&watch);
        if now != seen {
            seen = now;
            eprintln!("change detected, rebuilding");
            if let Some(output) = rebuild() {
                publish(&served, output);
            }
        }
    }
}

fn publish(served: &RwLock<Served>, output: Output) {
    let mut s = served.write().unwrap_or_else(|e| e.into_inner());
    s.output = output;
    s.generation += 1;
}

/// Modification times of every file under the watched folders.
fn fingerprint(dirs: &[PathBuf]) -> BTreeMap<PathBuf, SystemTime> {
    dirs.iter()
        .flat_map(|d| walkdir::WalkDir::new(d).into_iter().flatten())
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| Some((e.path().to_path_buf(), e.metadata().ok()?.modified().ok()?)))
        .collect()
}

const RELOAD: &str = "<script>(function(){var g=null;setInterval(function(){fetch('/__rota/generation').then(function(r){return r.text()}).then(function(t){if(g!==null&&t!==g)location.reload();g=t}).catch(function(){})},800)})();</script>";

fn respond(stream: TcpStream, served: &RwLock<Served>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    // Drain the headers; the body of a GET is empty.
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let target = request.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let s = served.read().unwrap_or_else(|e| e.into_inner());
    let (status, body, kind) = if path == "/__rota/generation" {
        ("200 OK", s.generation.to_string().into_bytes(), "text/plain")
    } else {
        match lookup(&s.output, path) {
            Some((file, bytes)) => ("200 OK", with_reload(file, bytes), content_type(file)),
            None => {
                let body =
                    s.output.get("404.html").map_or(b"not found".to_vec(), |b| with_reload("404.html", b));
                ("404 Not Found", body, "text/html; charset=utf-8")
            }
        }
    };
    drop(s);
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)
}

/// Maps a URL path to a file of the site: `/schedule/` → `schedule/index.html`.
fn lookup<'a>(output: &'a Output, path: &'a str) -> Option<(&'a str, &'a [u8])> {
    let decoded = percent_decode(path.trim_start_matches('/'));
    let candidates = [
        decoded.clone(),
        format!("{decoded}index.html"),
        format!("{}/index.html", decoded.trim_end_matches('/')),
    ];
    candidates.into_iter().find_map(|c| {
        let (key, bytes) = output.iter().find(|(k, _)| *k == c)?;
        Some((key, bytes))
    })
}

fn with_reload(file: &str, bytes: &[u8]) -> Vec<u8> {
    if !file.ends_with(".html") {
        return bytes.to_vec();
    }
    let html = String::from_utf8_lossy(bytes);
    match html.rfind("</body>") {
        Some(i) => format!("{}{RELOAD}{}", &html[..i], &html[i..]).into_bytes(),
        None => bytes.to_vec(),
    }
}

fn content_type(file: &str) -> &'static str {
    match Path::new(file).extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "ics" => "text/calendar; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_urls_map_to_index_files() {
        let mut out = Output::default();
        out.add_page("schedule/", "<html><body>s</body></html>".into());
        out.add("api/schedule.json", "{}");
        assert_eq!(lookup(&out, "/schedule/").unwrap().0, "schedule/index.html");
        assert_eq!(lookup(&out, "/schedule").unwrap().0, "schedule/index.html");
        assert_eq!(lookup(&out, "/api/schedule.json").unwrap().0, "api/schedule.json");
        assert!(lookup(&out, "/../etc/passwd").is_none());
    }

    #[test]
    fn pages_get_the_reload_script_and_other_files_do_not() {
        assert!(
            String::from_utf8(with_reload("a.html", b"<body>x</body>"))
                .unwrap()
                .contains("__rota/generation")
        );
        assert_eq!(with_reload("a.css", b"body{}"), b"body{}");
    }
}
