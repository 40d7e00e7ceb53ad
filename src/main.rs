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
    };
    ExitCode::from(status)
}
