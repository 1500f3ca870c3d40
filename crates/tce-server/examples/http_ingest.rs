//! HTTP batch-ingest benchmark (issue 5; run by `bench/http_ingest.sh`).
//!
//! `http_ingest serve DIR` serves the workspace DIR (airline model, fresh
//! store, one analyst token written to DIR/token) on a free loopback port
//! and prints `listening http://ADDR`.
//!
//! `http_ingest client URL TOKEN FILE [SECONDS] [BATCH] [CONNECTIONS]` posts
//! the JSONL FILE in batches of BATCH records (default 1000) as NDJSON over
//! CONNECTIONS keep-alive connections (default 4) for SECONDS (default 60).
//! When the file is used up it starts again with every id prefixed by the
//! round (`r1-…`), so every batch is new data. Prints signals/s, requests,
//! errors and request latency percentiles.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::Request;
use hyper_util::rt::TokioIo;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tce_server::tokens::NewToken;
use tce_store::Store;

type Error = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("serve") => serve(Path::new(args.get(1).ok_or("serve DIR")?)),
        Some("client") => {
            let url = args.get(1).ok_or("client URL TOKEN FILE")?.clone();
            let token = args.get(2).ok_or("client URL TOKEN FILE")?.clone();
            let file = PathBuf::from(args.get(3).ok_or("client URL TOKEN FILE")?);
            let secs: u64 = args.get(4).map_or(Ok(60), |s| s.parse())?;
            let batch: usize = args.get(5).map_or(Ok(1000), |s| s.parse())?;
            let conns: usize = args.get(6).map_or(Ok(4), |s| s.parse())?;
            client(url, token, &file, Duration::from_secs(secs), batch, conns)
        }
        _ => Err(
            "usage: http_ingest serve DIR | client URL TOKEN FILE [SECONDS] [BATCH] [CONNECTIONS]"
                .into(),
        ),
    }
}

fn serve(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir)?;
    let t = tce_model::templates::template("airline").ok_or("no airline template")?;
    let model = tce_model::Model::parse(t.toml, Path::new("airline.toml"))?;
    let db_path = dir.join("tce.db");
    let token = tce_server::generate_token();
    let mut store = tce_store::SqliteStore::open(&db_path)?;
    store.create_token(&NewToken {
        name: "bench".into(),
        role: "analyst".into(),
        department: None,
        hash: tce_server::hash_token(&token),
        created_at: chrono::Utc::now(),
    })?;
    drop(store);
    std::fs::write(dir.join("token"), &token)?;
    let config = tce_server::ServeConfig {
        addr: "127.0.0.1:0".parse()?,
        model,
        db_path,
        no_auth: false,
        max_body_bytes: tce_server::DEFAULT_MAX_BODY_BYTES,
        read_connections: tce_server::DEFAULT_READ_CONNECTIONS,
        // The benchmark measures the server, not the per-token policy.
        rate_limit: None,
    };
    tce_server::serve_blocking(config, |addr| {
        println!("listening http://{addr}");
    })?;
    Ok(())
}

/// The file's lines, and batches of them with ids made unique per round.
struct Source {
    lines: Vec<String>,
    batch: usize,
    next: AtomicU64,
}

impl Source {
    fn body(&self) -> (Bytes, usize) {
        let chunks = self.lines.len().div_ceil(self.batch) as u64;
        let k = self.next.fetch_add(1, Ordering::Relaxed);
        let (round, chunk) = (k / chunks, (k % chunks) as usize);
        let start = chunk * self.batch;
        let end = (start + self.batch).min(self.lines.len());
        let mut out = String::with_capacity((end - start) * 400);
        for line in &self.lines[start..end] {
            match (round, line.strip_prefix("{\"id\":\"")) {
                (0, _) | (_, None) => out.push_str(line),
                (r, Some(rest)) => {
                    out.push_str("{\"id\":\"r");
                    out.push_str(&r.to_string());
                    out.push('-');
                    out.push_str(rest);
                }
            }
            out.push('\n');
        }
        (Bytes::from(out), end - start)
    }
}

fn client(
    url: String,
    token: String,
    file: &Path,
    duration: Duration,
    batch: usize,
    conns: usize,
) -> Result<(), Error> {
    let text = std::fs::read_to_string(file)?;
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    drop(text);
    let source = Arc::new(Source {
        lines,
        batch: batch.max(1),
        next: AtomicU64::new(0),
    });
    let authority = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let stop = Arc::new(AtomicBool::new(false));
    let accepted = Arc::new(AtomicU64::new(0));
    let duplicates = Arc::new(AtomicU64::new(0));
    let rejected = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let latencies = runtime.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..conns.max(1) {
            let (source, authority, token) = (source.clone(), authority.clone(), token.clone());
            let (stop, accepted, duplicates, rejected, errors) = (
                stop.clone(),
                accepted.clone(),
                duplicates.clone(),
                rejected.clone(),
                errors.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                let stream = tokio::net::TcpStream::connect(&authority).await?;
                stream.set_nodelay(true)?;
                let (mut sender, conn) =
                    hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
                tokio::spawn(conn);
                while !stop.load(Ordering::Relaxed) {
                    let (body, _) = source.body();
                    let req = Request::post("/api/v1/signals")
                        .header("host", authority.as_str())
                        .header("authorization", format!("Bearer {token}"))
                        .header("content-type", "application/x-ndjson")
                        .body(Full::new(body))?;
                    let t0 = Instant::now();
                    let res = sender.send_request(req).await?;
                    let status = res.status();
                    let bytes = res.into_body().collect().await?.to_bytes();
                    lat.push(t0.elapsed());
                    if !status.is_success() {
                        errors.fetch_add(1, Ordering::Relaxed);
                        eprintln!("HTTP {status}: {}", String::from_utf8_lossy(&bytes));
                        continue;
                    }
                    let v: serde_json::Value = serde_json::from_slice(&bytes)?;
                    accepted.fetch_add(v["accepted"].as_u64().unwrap_or(0), Ordering::Relaxed);
                    duplicates.fetch_add(v["duplicate"].as_u64().unwrap_or(0), Ordering::Relaxed);
                    rejected.fetch_add(v["rejected"].as_u64().unwrap_or(0), Ordering::Relaxed);
                }
                Ok::<_, Error>(lat)
            }));
        }
        tokio::time::sleep(duration).await;
        stop.store(true, Ordering::Relaxed);
        let mut all = Vec::new();
        for t in tasks {
            match t.await {
                Ok(Ok(l)) => all.extend(l),
                Ok(Err(e)) => {
                    errors.fetch_add(1, Ordering::Relaxed);
                    eprintln!("connection failed: {e}");
                }
                Err(e) => eprintln!("task failed: {e}"),
            }
        }
        all
    });
    let secs = started.elapsed().as_secs_f64();
    let mut lat = latencies;
    lat.sort();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let acc = accepted.load(Ordering::Relaxed);
    println!(
        "requests:      {} of {batch} signals over {conns} connections in {secs:.1} s",
        lat.len()
    );
    println!(
        "accepted:      {acc}  duplicates: {}  rejected: {}  errors: {}",
        duplicates.load(Ordering::Relaxed),
        rejected.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed)
    );
    println!(
        "latency ms:    p50 {:.1}  p95 {:.1}  p99 {:.1}  max {:.1}",
        pct(0.5),
        pct(0.95),
        pct(0.99),
        pct(1.0)
    );
    println!("http_signals_per_s {:.0}", acc as f64 / secs);
    Ok(())
}
