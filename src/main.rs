//! The command line: parse arguments, call the pipeline, map the outcome to
//! an exit status (0 success, 1 problems in the data, 2 misuse).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use rota::commands::{self, Global};

#[derive(Parser)]
#[command(
    name = "rota",
    version,
    about = "A CI-monitoring on-call rotation, kept in git, published as a static site"
)]
struct Cli {
    /// The data folder.
    #[arg(long, global = true, default_value = "data")]
    data: PathBuf,
    /// Pin the clock (RFC 3339, such as 2022-06-08T12:00:00Z); defaults to
    /// SOURCE_DATE_EPOCH when set, else the system time.
    #[arg(long, global = true, value_name = "TIME")]
    now: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site from the data, replacing the output folder only on success.
    Build {
        /// Output folder.
        #[arg(long, default_value = "site")]
        out: PathBuf,
        /// Public URL of the site (overrides site.base_url).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Folder of templates that replace the built-in ones by name
        /// (default: `templates` beside the data folder, when it exists).
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Also index the site for its search box with Pagefind (`pagefind`
        /// on PATH or `python3 -m pagefind`); a failed index keeps the old site.
        #[arg(long)]
        search: bool,
    },
    /// Check the data and report every problem, without writing anything.
    Check {
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Also refuse changes to shifts that have started or been announced,
        /// against the data at this git commit (such as origin/main).
        #[arg(long, value_name = "REF")]
        base: Option<String>,
        /// How to print problems; `github` is the default inside GitHub Actions.
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
    },
    /// Build the site in memory and serve it on localhost, rebuilding on changes.
    Serve {
        #[arg(long, default_value_t = 8000)]
        port: u16,
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },
    /// Create a starter data folder (existing files are kept).
    Init {
        /// The monitored project's GitHub repository.
        #[arg(long, default_value = "https://github.com/OWNER/REPO")]
        repository: String,
    },
    /// Print the schedule: the current shift and the next ones.
    Schedule {
        /// How many upcoming shifts to show.
        #[arg(long, default_value_t = 8)]
        weeks: u32,
        /// Only this person's shifts (a GitHub login).
        #[arg(long, value_name = "LOGIN")]
        person: Option<String>,
        #[arg(long, value_enum, default_value_t = ScheduleFormat::Table)]
        format: ScheduleFormat,
    },
    /// Print the Markdown message that pings the people on call now and next.
    Announce {
        /// How many shifts after the current one to name (default: rotation.announce_weeks).
        #[arg(long)]
        weeks: Option<u32>,
    },
    /// Read the configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Record a failure seen on main and draft its issue.
    Triage {
        #[command(subcommand)]
        command: TriageCommand,
    },
    /// Who changed a file most recently, from the git history of a checkout.
    Suspects {
        /// A path in the repository, or a pytest node id (its file is used).
        path: String,
        /// The checkout (or bare repository) of the monitored project.
        #[arg(long, value_name = "DIR")]
        repo: PathBuf,
        /// At most this many people.
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum TriageCommand {
    /// Write data/triage/<year>/<id>.toml for a failing job and print the issue to file.
    New {
        /// The failing job on main.
        job: String,
        /// The pytest node id of the failing test.
        #[arg(long, value_name = "ID")]
        test: Option<String>,
        /// flaky (the default with --test), regression, or infra (the default without).
        #[arg(long, value_enum)]
        kind: Option<TriageKind>,
        /// The relevant lines of the log.
        #[arg(long, value_name = "TEXT")]
        error: Option<String>,
        /// A checkout of the monitored project, to name the people who know the test.
        #[arg(long, value_name = "DIR")]
        repo: Option<PathBuf>,
    },
    /// Mark an entry's test as expected to fail in a checkout and print the commit message.
    Disable {
        /// The triage entry's id (its file name without .toml).
        id: String,
        /// The checkout of the monitored project.
        #[arg(long, value_name = "DIR")]
        repo: PathBuf,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TriageKind {
    Flaky,
    Infra,
    Regression,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print the value of a dotted key such as `project.pinned_issue`;
    /// prints nothing (and succeeds) when the key is unset.
    Get { key: String },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ScheduleFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CheckFormat {
    Human,
    Github,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let now = match rota::clock::resolve(cli.now.as_deref()) {
        Ok(now) => now,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let global = Global { data: cli.data, now, pinned: cli.now };
    let status = match cli.command {
        Command::Build { out, base_url, templates, search } => {
            commands::build(&global, &out, base_url, templates, search)
        }
        Command::Check { templates, base, format } => {
            commands::check(&global, templates, base.as_deref(), format == CheckFormat::Github)
        }
        Command::Schedule { weeks, person, format } => {
            let format = match format {
                ScheduleFormat::Table => commands::ScheduleFormat::Table,
                ScheduleFormat::Json => commands::ScheduleFormat::Json,
            };
            commands::schedule(&global, weeks, person.as_deref(), format)
        }
        Command::Announce { weeks } => commands::announce(&global, weeks),
        Command::Config { command: ConfigCommand::Get { key } } => commands::config_get(&global, &key),
        Command::Serve { port, base_url, templates } => commands::serve(&global, port, base_url, templates),
        Command::Init { repository } => commands::init(&global, &repository),
        Command::Triage { command: TriageCommand::New { job, test, kind, error, repo } } => {
            use rota::model::triage::Kind;
            let kind = kind.map(|k| match k {
                TriageKind::Flaky => Kind::Flaky,
                TriageKind::Infra => Kind::Infra,
                TriageKind::Regression => Kind::Regression,
            });
            rota::commands::triage::new(
                &global,
                rota::commands::triage::NewArgs { job, test, kind, error, repo },
            )
        }
        Command::Triage { command: TriageCommand::Disable { id, repo } } => {
            rota::commands::triage::disable(&global, &id, &repo)
        }
        Command::Suspects { path, repo, limit, json } => {
            rota::commands::triage::suspects(&global, &path, &repo, limit, json)
        }
    };
    ExitCode::from(status)
}
