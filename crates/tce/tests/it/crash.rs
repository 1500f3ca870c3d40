//! Acknowledged data is never lost (DESIGN §6): `tce serve` killed with
//! SIGKILL in the middle of HTTP ingest keeps every batch it answered 200
//! for, stores nothing twice, and a client resending after the restart gets
//! duplicates, not copies.

use crate::{ok, stdout, tce};
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tce_store::{SqliteStore, Store};

const BATCH: usize = 100;

/// Starts `tce serve` on a free loopback port; returns it and its address.
fn serve(dir: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tce"))
        .arg("--dir")
        .arg(dir)
        .args(["serve", "--addr", "127.0.0.1:0", "--rate-limit", "0"])
        .env_remove("TCE_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start tce serve");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("tce serve exited before listening")
            .expect("read stdout");
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().expect("address").to_string();
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

fn batch_ids(client: usize, batch: usize) -> Vec<String> {
    (0..BATCH)
        .map(|i| format!("c{client}-b{batch}-{i}"))
        .collect()
}

/// Posts one batch; `Some((accepted, duplicate))` when the server answered
/// 200, `None` when the connection failed (the batch is not acknowledged).
fn post(addr: &str, token: &str, ids: &[String]) -> Option<(u64, u64)> {
    let body: String = ids
        .iter()
        .map(|id| {
            serde_json::json!({"id": id, "channel": "x", "created_at": "2026-05-01T10:00:00Z",
                "text": format!("my bag {id} is lost and nobody answers")})
            .to_string()
                + "\n"
        })
        .collect();
    let mut s = TcpStream::connect(addr).ok()?;
    let head = format!(
        "POST /api/v1/signals HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/x-ndjson\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(body.as_bytes()).ok()?;
    let mut answer = String::new();
    s.read_to_string(&mut answer).ok()?;
    if !answer.starts_with("HTTP/1.1 200") {
        assert!(answer.is_empty(), "unexpected answer: {answer}");
        return None;
    }
    let json = &answer[answer.find("\r\n\r\n")? + 4..];
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    Some((v["accepted"].as_u64()?, v["duplicate"].as_u64()?))
}

#[test]
fn kill_9_during_http_ingest_loses_no_acknowledged_batch() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path();
    ok(tce(ws, &["init", "--template", "airline"]));
    let out = ok(tce(
        ws,
        &[
            "token",
            "create",
            "--role",
            "analyst",
            "--name",
            "crash test",
        ],
    ));
    let token = stdout(&out).lines().next().unwrap().trim().to_string();

    let (mut server, addr) = serve(ws);
    let acked: Arc<Mutex<Vec<(usize, usize)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..3)
        .map(|c| {
            let (addr, token, acked, stop) =
                (addr.clone(), token.clone(), acked.clone(), stop.clone());
            std::thread::spawn(move || {
                for b in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    match post(&addr, &token, &batch_ids(c, b)) {
                        Some((accepted, duplicate)) => {
                            assert_eq!((accepted, duplicate), (BATCH as u64, 0));
                            acked.lock().unwrap().push((c, b));
                        }
                        None => break,
                    }
                }
            })
        })
        .collect();
    // Kill while batches are in flight, once a good number is acknowledged.
    let start = Instant::now();
    while acked.lock().unwrap().len() < 30 {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "ingest too slow"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();

    // Every acknowledged signal is stored, once; nothing stored was not sent.
    let store = SqliteStore::open(&ws.join("tce.db")).unwrap();
    let mut stmt = store
        .connection()
        .prepare("SELECT external_id FROM signals")
        .unwrap();
    let stored: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let distinct: HashSet<&str> = stored.iter().map(String::as_str).collect();
    assert_eq!(distinct.len(), stored.len(), "a signal is stored twice");
    for &(c, b) in &acked {
        for id in batch_ids(c, b) {
            assert!(distinct.contains(id.as_str()), "acknowledged {id} was lost");
        }
    }
    // Batches are all or nothing, and only sent batches are there.
    assert_eq!(stored.len() % BATCH, 0, "a batch was stored in part");
    assert!(stored.iter().all(|id| id.starts_with('c')));
    // The rollups agree with the signals (written in the same transactions).
    let stats = store.stats().unwrap();
    assert_eq!(stats.signals, stored.len() as u64);
    drop(stmt);
    drop(store);

    // After a restart, resending an acknowledged batch adds nothing.
    let (mut server, addr) = serve(ws);
    let (c, b) = acked[0];
    let again = post(&addr, &token, &batch_ids(c, b));
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(again, Some((0, BATCH as u64)));
}
