//! Dashboard page latency benchmark (issue 5; run by `bench/pages.sh`).
//!
//! `pages DIR [ROUNDS]` serves the workspace DIR (tce.toml + tce.db) without
//! authentication on a free loopback port and fetches every dashboard page
//! (and the list endpoints of the API behind the care queue,
//! `GET /api/v1/cases`, and the Advocates and Ideas pages,
//! `GET /api/v1/advocates` and `GET /api/v1/ideas`) over HTTP: once cold
//! (after the start-up warm-up that `tce serve` runs, timed separately),
//! then ROUNDS times (default 30).
//! Prints per page the cold time, p50 / p95 / max of the rounds and one
//! request right after the cache was invalidated (as by an ingest), and the
//! worst of each.

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::Request;
use hyper_util::rt::TokioIo;
use std::path::Path;
use std::time::{Duration, Instant};

type Error = Box<dyn std::error::Error + Send + Sync>;

const PAGES: [&str; 29] = [
    "/",
    "/journey",
    "/journey?brand=bluejet",
    "/channels",
    "/benchmark",
    "/quadrant",
    "/allocation",
    "/finance",
    "/signals",
    "/signals?intent=complaint&min_sentiment=-1&max_sentiment=-0.5",
    "/signals?touchpoint=baggage",
    "/signals?q=refund",
    // The care queue over the API (issue 11: p95 <= 150 ms at 10M signals).
    "/cases",
    "/cases?department=baggage",
    "/care",
    "/care?range=all",
    "/api/v1/cases",
    "/api/v1/cases?department=baggage",
    "/api/v1/cases?status=new,open&breached=true",
    // Advocacy and ideas, pages and API lists (issue 13: p95 <= 150 ms at
    // 10M signals). `skyway` is the airline template's own brand.
    "/advocates",
    "/advocates?brand=skyway",
    "/ideas",
    "/ideas?brand=skyway",
    "/ideas?competitors=1",
    "/api/v1/advocates",
    "/api/v1/advocates?brand=skyway&limit=100",
    "/api/v1/ideas",
    "/api/v1/ideas?own=false",
    "/api/v1/ideas?status=new&limit=200",
];

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = Path::new(args.first().ok_or("usage: pages DIR [ROUNDS]")?);
    let rounds: usize = args.get(1).map_or(Ok(30), |s| s.parse())?;
    let model = tce_model::Model::load(&dir.join("tce.toml"))?;
    let config = tce_server::ServeConfig {
        addr: "127.0.0.1:0".parse()?,
        model,
        db_path: dir.join("tce.db"),
        no_auth: true,
        max_body_bytes: tce_server::DEFAULT_MAX_BODY_BYTES,
        read_connections: tce_server::DEFAULT_READ_CONNECTIONS,
        rate_limit: None,
    };
    let state = tce_server::state_for(&config)?;
    // What `tce serve` does in the background at start, timed here.
    let t0 = Instant::now();
    tce_server::warm_up(&state);
    let warm_up = t0.elapsed();
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let listener = server_rt.block_on(tokio::net::TcpListener::bind(config.addr))?;
    let addr = listener.local_addr()?;
    let handle = state.clone();
    server_rt.spawn(tce_server::serve_on(
        listener,
        state,
        std::future::pending(),
    ));

    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let results = client_rt.block_on(async move {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        let mut results = Vec::new();
        for page in PAGES {
            let mut times = Vec::new();
            for _ in 0..=rounds {
                let req = Request::get(page)
                    .header("host", addr.to_string())
                    .body(Empty::<Bytes>::new())?;
                let t0 = Instant::now();
                let res = sender.send_request(req).await?;
                let status = res.status();
                let body = res.into_body().collect().await?.to_bytes();
                times.push(t0.elapsed());
                if !status.is_success() {
                    return Err(format!(
                        "{page}: HTTP {status}: {}",
                        String::from_utf8_lossy(&body)
                    )
                    .into());
                }
            }
            results.push((page, times));
        }
        // As after an ingest through the server: every cached insight is
        // stale; slow ones are served stale while they refresh.
        handle.data_changed();
        let mut after = Vec::new();
        for page in PAGES {
            let req = Request::get(page)
                .header("host", addr.to_string())
                .body(Empty::<Bytes>::new())?;
            let t0 = Instant::now();
            let res = sender.send_request(req).await?;
            res.into_body().collect().await?;
            after.push(t0.elapsed());
        }
        Ok::<_, Error>((results, after))
    })?;
    let (results, after) = results;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{:<62} {:>9} {:>8} {:>8} {:>8} {:>13}",
        "page", "cold ms", "p50 ms", "p95 ms", "max ms", "after ingest"
    );
    let mut worst = 0.0f64;
    let mut worst_cold = 0.0f64;
    let mut worst_after = 0.0f64;
    for ((page, times), after) in results.into_iter().zip(after) {
        worst_after = worst_after.max(ms(after));
        let cold = times.first().copied().unwrap_or_default();
        let mut warm: Vec<Duration> = times.into_iter().skip(1).collect();
        warm.sort();
        let pct = |p: f64| {
            warm.get(((warm.len() as f64 * p).ceil() as usize).saturating_sub(1))
                .copied()
                .unwrap_or_default()
        };
        worst = worst.max(ms(pct(0.95)));
        worst_cold = worst_cold.max(ms(cold));
        println!(
            "{page:<62} {:>9.1} {:>8.1} {:>8.1} {:>8.1} {:>13.1}",
            ms(cold),
            ms(pct(0.5)),
            ms(pct(0.95)),
            ms(pct(1.0)),
            ms(after)
        );
    }
    println!("warm_up_ms {:.1}", ms(warm_up));
    println!("worst_p95_ms {worst:.1}");
    println!("worst_cold_ms {worst_cold:.1}");
    println!("worst_after_ingest_ms {worst_after:.1}");
    Ok(())
}
