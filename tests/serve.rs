mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{NOW, Test};

fn get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut body = String::new();
    s.read_to_string(&mut body).unwrap();
    body
}

/// Kills the server when the test ends, pass or fail.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_previews_the_site_and_rebuilds_on_change() {
    let t = Test::fixture("basic");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rota"))
        .args(["serve", "--port", "0", "--now", NOW])
        .current_dir(t.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut server = Server(child);
    let mut lines = BufReader::new(stderr).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("serving on http://").map(|a| a.split('/').next().unwrap().to_string()))
        .expect("the server says where it listens");

    let home = get(&addr, "/");
    assert!(home.starts_with("HTTP/1.1 200"), "{home}");
    assert!(home.contains("On call for CI"), "{home}");
    assert!(get(&addr, "/schedule").contains("Past shifts"));
    assert!(get(&addr, "/api/schedule.json").contains("application/json"));
    assert!(get(&addr, "/no/such/page/").starts_with("HTTP/1.1 404"));

    let generation = |addr: &str| get(addr, "/__rota/generation").rsplit("\r\n").next().unwrap().to_string();
    let before = generation(&addr);
    let title = std::fs::read_to_string(t.path().join("data/config.toml")).unwrap();
    std::fs::write(t.path().join("data/config.toml"), title.replace("Example CI", "Renamed CI")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while generation(&addr) == before {
        assert!(Instant::now() < deadline, "no rebuild after a change");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(get(&addr, "/").contains("Renamed CI"));
    let _ = server.0.kill();
}
