//! rota's two git history walks against the git commands they stand in for,
//! on a repository of 12,000 commits (built once with `git fast-import` and
//! kept in the target folder), each pair in the same run:
//!
//! - `rota suspects PATH` against `git log --no-merges -- PATH`;
//! - the last change of every file (the runbook's page dates) against
//!   `git log --name-only --no-merges`.
//!
//! Each pair is first checked to give the same answer, then timed; the
//! medians and their ratio are printed. Run with `cargo bench --bench git_history`.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const COMMITS: usize = 12_000;
const DIRS: usize = 40;
const FILES_PER_DIR: usize = 50;
const TARGET: &str = "tests/python/frontend/pytorch/test_forward.py";
const RUNS: usize = 9;

fn main() {
    let repo = repository();
    let count = git(&repo).args(["rev-list", "--count", "main"]).output().expect("git rev-list runs").stdout;
    println!(
        "repository: {} ({} commits, up to {} files)",
        repo.display(),
        String::from_utf8_lossy(&count).trim(),
        DIRS * FILES_PER_DIR + 1
    );

    let rota = || {
        let opened = rota::history::suspects::open_repo(&repo).expect("open");
        rota::history::suspects::suspects(&opened, Path::new(TARGET), &[], None).expect("suspects")
    };
    let git_log = || {
        let out = git(&repo)
            .args(["log", "--no-merges", "--format=%H%x00%an%x00%ae%x00%at", "--", TARGET])
            .output()
            .expect("git log runs");
        assert!(out.status.success());
        out.stdout
    };

    // Same answer first: every author, in order, with their counts.
    let ours = rota();
    let log = String::from_utf8(git_log()).unwrap();
    let mut theirs: Vec<(String, usize)> = Vec::new();
    for line in log.lines() {
        let email = line.split('\0').nth(2).unwrap().to_lowercase();
        match theirs.iter_mut().find(|(e, _)| *e == email) {
            Some(entry) => entry.1 += 1,
            None => theirs.push((email, 1)),
        }
    }
    let ours_pairs: Vec<(String, usize)> = ours.iter().map(|s| (s.email.to_lowercase(), s.commits)).collect();
    assert_eq!(ours_pairs, theirs, "rota suspects and git log disagree");
    println!("{} commits change {TARGET}, by {} people", log.lines().count(), ours.len());

    let rota_median = median(RUNS, || {
        std::hint::black_box(rota());
    });
    let git_median = median(RUNS, || {
        std::hint::black_box(git_log());
    });
    println!("rota suspects (library, open + walk): median {:>8.2} ms over {RUNS} runs", ms(rota_median));
    println!("git log --no-merges -- PATH:          median {:>8.2} ms over {RUNS} runs", ms(git_median));
    println!("ratio rota / git: {:.2}", rota_median.as_secs_f64() / git_median.as_secs_f64());

    last_changes(&repo);
}

/// Page dates: one walk for the newest change of every file.
fn last_changes(repo: &Path) -> HashMap<PathBuf, String> {
    let rota = || {
        let opened = rota::git::Repo::open(repo).expect("open");
        opened.last_changes(Path::new("")).expect("last changes")
    };
    let git_log = || {
        let out = git(repo)
            .args(["log", "--name-only", "--no-merges", "--format=@%H"])
            .output()
            .expect("git log runs");
        assert!(out.status.success());
        out.stdout
    };
    // Same answer first: the newest commit of every file.
    let log = String::from_utf8(git_log()).unwrap();
    let mut newest: HashMap<PathBuf, String> = HashMap::new();
    let mut commit = "";
    for line in log.lines() {
        match line.strip_prefix('@') {
            Some(id) => commit = id,
            None if !line.is_empty() => {
                newest.entry(PathBuf::from(line)).or_insert_with(|| commit.to_string());
            }
            None => {}
        }
    }
    let ours: HashMap<PathBuf, String> = rota().into_iter().map(|(p, c)| (p, c.commit)).collect();
    assert_eq!(ours, newest, "rota and git log disagree on the last change of a file");
    println!("\nlast change of all {} files", ours.len());
    let rota_median = median(RUNS, || {
        std::hint::black_box(rota());
    });
    let git_median = median(RUNS, || {
        std::hint::black_box(git_log());
    });
    println!("rota page dates (library, open + walk): median {:>8.2} ms over {RUNS} runs", ms(rota_median));
    println!("git log --name-only --no-merges:          median {:>8.2} ms over {RUNS} runs", ms(git_median));
    println!("ratio rota / git: {:.2}", rota_median.as_secs_f64() / git_median.as_secs_f64());
    ours
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    f(); // warm the page cache and the pack index
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    cmd
}

/// The bench repository, built on first use: a bare repository whose history
/// changes one file per commit, the target file in about one commit in 60,
/// with a merge of a side branch every 250 commits.
fn repository() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("bench-repos").join(format!("suspects-{COMMITS}.git"));
    if dir.join("ready").exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    assert!(git(&dir).args(["init", "-q", "--bare"]).status().unwrap().success());
    let mut child = git(&dir)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import runs");
    let mut input = std::io::BufWriter::new(child.stdin.take().unwrap());
    let mut rng: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let author = |n: u64| (format!("Author {n}"), format!("{}+author{n}@users.noreply.github.com", 1000 + n));
    let data = |w: &mut dyn std::io::Write, text: &str| {
        write!(w, "data {}\n{text}\n", text.len()).unwrap();
    };
    let mut mark = 0usize;
    let mut main_head = 0usize;
    let mut target_version = 0usize;
    for i in 0..COMMITS {
        let time = 1_500_000_000 + i as u64 * 3_600;
        let (name, email) = author(next() % 60);
        let (path, content) = if next() % 60 == 0 || i == 0 {
            target_version += 1;
            (TARGET.to_string(), format!("def test_forward():\n    assert {target_version}\n"))
        } else {
            let d = next() as usize % DIRS;
            let f = next() as usize % FILES_PER_DIR;
            (format!("src/dir{d:02}/file{f:02}.py"), format!("x = {i}\n"))
        };
        let merge = i > 0 && i % 250 == 0;
        if merge {
            // A side commit that changes the target, then its merge.
            mark += 1;
            let side = mark;
            target_version += 1;
            let (sname, semail) = author(next() % 60);
            writeln!(input, "commit refs/heads/side\nmark :{side}").unwrap();
            writeln!(
                input,
                "author {sname} <{semail}> {time} +0000\ncommitter {sname} <{semail}> {time} +0000"
            )
            .unwrap();
            data(&mut input, &format!("Side change {i}"));
            writeln!(input, "from :{main_head}").unwrap();
            let side_content = format!("def test_forward():\n    assert {target_version}\n");
            writeln!(input, "M 100644 inline {TARGET}").unwrap();
            data(&mut input, &side_content);
            mark += 1;
            writeln!(input, "commit refs/heads/main\nmark :{mark}").unwrap();
            writeln!(
                input,
                "author {name} <{email}> {} +0000\ncommitter {name} <{email}> {} +0000",
                time + 60,
                time + 60
            )
            .unwrap();
            data(&mut input, &format!("Merge side {i}"));
            writeln!(input, "from :{main_head}\nmerge :{side}").unwrap();
            writeln!(input, "M 100644 inline {TARGET}").unwrap();
            data(&mut input, &side_content);
            main_head = mark;
            continue;
        }
        mark += 1;
        writeln!(input, "commit refs/heads/main\nmark :{mark}").unwrap();
        writeln!(input, "author {name} <{email}> {time} +0000\ncommitter {name} <{email}> {time} +0000")
            .unwrap();
        data(&mut input, &format!("Change {i}"));
        if main_head > 0 {
            writeln!(input, "from :{main_head}").unwrap();
        }
        writeln!(input, "M 100644 inline {path}").unwrap();
        data(&mut input, &content);
        main_head = mark;
    }
    drop(input);
    assert!(child.wait().unwrap().success(), "git fast-import failed");
    assert!(git(&dir).args(["symbolic-ref", "HEAD", "refs/heads/main"]).status().unwrap().success());
    assert!(git(&dir).args(["gc", "-q", "--aggressive"]).status().unwrap().success());
    std::fs::write(dir.join("ready"), "").unwrap();
    dir
}
