//! `server`: serve the portal, or run an administrative command.
#![forbid(unsafe_code)]

use server::config::{help, Config};
use std::process::ExitCode;

/// mimalloc instead of the C library's allocator: a decision request
/// allocates and frees many small buffers (JSON, headers), and glibc's malloc
/// and free were the largest user-space cost in the decision API's profile.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{}", help());
        return ExitCode::SUCCESS;
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}\n\nRun `server --help` for every setting.");
            return ExitCode::from(2);
        }
    };
    init_tracing(config.log_json);
    let result = match args.first().map(String::as_str) {
        None | Some("serve") => serve(config).await,
        // Without a folder: the copy of Altinn's catalogue in the repository,
        // relative to the working directory (the repository root under `make`).
        Some("import-catalogue") => {
            let dir = args.get(1).map_or(DEFAULT_CATALOGUE_DIR, String::as_str);
            import_catalogue(&config, dir).await
        }
        Some("import-register") => match args.get(1) {
            Some(file) => import_register(&config, file).await,
            None => Err(anyhow::anyhow!("usage: server import-register <FILE.json|FILE.csv>")),
        },
        Some("load-demo") => load_demo(&config).await,
        Some(cmd @ ("grant-scopes" | "revoke-scopes")) => match args.get(1) {
            Some(client) if args.len() > 2 => change_scopes(&config, cmd, client, &args[2..]).await,
            _ => Err(anyhow::anyhow!("usage: server {cmd} <CLIENT_ID> <SCOPE>...")),
        },
        Some("token-grant") => match &args[1..] {
            [client, key, kid, scope, rest @ ..] if rest.len() <= 2 => token_grant(&config, client, key, kid, scope, rest.first(), rest.get(1)),
            _ => Err(anyhow::anyhow!("usage: server token-grant <CLIENT_ID> <PRIVATE_KEY.pem> <KID> <SCOPE> [<SYSTEM_USER_ORG> [<EXTERNAL_REF>]]")),
        },
        Some(other) => Err(anyhow::anyhow!("unknown command {other:?}; see `server --help`")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let listener =
        tokio::net::TcpListener::bind(config.addr).await.map_err(|e| anyhow::anyhow!("cannot listen on {}: {e} (set FULLMAKT_ADDR)", config.addr))?;
    server::serve(listener, config).await
}

/// Where `server import-catalogue` reads the catalogue when given no folder.
const DEFAULT_CATALOGUE_DIR: &str = "data/altinn/access-packages";

async fn import_catalogue(config: &Config, dir: &str) -> anyhow::Result<()> {
    let catalogue = domain::catalogue::from_altinn_dir(std::path::Path::new(dir))?;
    let operator = operator(config, "import-catalogue").await?;
    let counts = domain::catalogue::store::import(&operator, &catalogue, dir).await?;
    println!("imported {} areas, {} packages, {} roles, {} role-to-package rows from {dir}", counts.areas, counts.packages, counts.roles, counts.role_packages);
    Ok(())
}

async fn import_register(config: &Config, file: &str) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("cannot read {file}: {e}"))?;
    let feed = if file.ends_with(".csv") {
        domain::register::parse_csv(&text, config.synthetic_ids())?
    } else {
        domain::register::parse_json(&text, config.synthetic_ids())?
    };
    let operator = operator(config, "import-register").await?;
    let mut progress = |done: usize, total: usize| eprint!("\rprocessed {done} of {total} rows");
    let counts = domain::register::import(&operator, &feed, file, &mut progress).await?;
    eprintln!();
    println!(
        "{} parties added, {} changed; {} roles added, {} ended; {} unchanged",
        counts.parties_added, counts.parties_changed, counts.roles_added, counts.roles_ended, counts.unchanged
    );
    Ok(())
}

/// The installation's operator running the command `label`: every use case
/// a command calls takes this context, as a request's would take its caller's.
async fn operator(config: &Config, label: &str) -> anyhow::Result<domain::Context> {
    Ok(services(config).await?.for_operator(label))
}

async fn services(config: &Config) -> anyhow::Result<domain::Services> {
    let pool = domain::db::connect_and_migrate(&config.database_url, 2).await?;
    Ok(domain::Services::start(pool, std::sync::Arc::new(domain::SystemClock)).await?)
}

/// Gives an API client scopes, or takes them away, as the operator: the
/// scopes an organisation cannot give itself (the decision API, authorized
/// parties, a vendor's system-register and request scopes, any `.admin`).
async fn change_scopes(config: &Config, command: &str, client: &str, scopes: &[String]) -> anyhow::Result<()> {
    let operator = operator(config, command).await?;
    let (grant, revoke) = if command == "grant-scopes" { (scopes, &[][..]) } else { (&[][..], scopes) };
    let now = domain::tokens::service::change_scopes(&operator, client, grant, revoke).await?;
    println!("{client} now holds: {}", if now.is_empty() { "no scope".to_string() } else { now.join(" ") });
    Ok(())
}

/// Prints a signed JWT-bearer grant for `/token`: what a vendor's software
/// sends, for trying the APIs with `curl` (see the README).
fn token_grant(
    config: &Config,
    client: &str,
    key_file: &str,
    kid: &str,
    scope: &str,
    org: Option<&String>,
    external_ref: Option<&String>,
) -> anyhow::Result<()> {
    let pem = std::fs::read_to_string(key_file).map_err(|e| anyhow::anyhow!("cannot read {key_file}: {e}"))?;
    let key = server::client_assertion::SigningKey::from_pem(&pem, kid)?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    println!("{}", key.grant(client, &config.token_issuer(), scope, org.map(String::as_str), external_ref.map(String::as_str), now)?);
    Ok(())
}

async fn load_demo(config: &Config) -> anyhow::Result<()> {
    server::load_demo(&services(config).await?).await?;
    println!("demo data loaded");
    Ok(())
}
