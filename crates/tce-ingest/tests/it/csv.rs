//! CSV with a column mapping: real exports, saved mappings, mapping mistakes.

use crate::{model, read_bytes, read_path, rejects, render, shared_data, signals};
use expect_test::{expect, Expect};
use std::collections::BTreeMap;
use tce_ingest::{CsvOptions, Format, ReadOptions, SignalReader};

fn pairs(list: &[(&str, &str)]) -> BTreeMap<String, String> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The mapping a user types for the Customer Support on Twitter export.
fn twcs_options() -> ReadOptions {
    ReadOptions {
        format: None,
        csv: CsvOptions {
            columns: pairs(&[
                ("id", "tweet_id"),
                ("author", "author_id"),
                ("in_reply_to", "in_response_to_tweet_id"),
            ]),
            constants: pairs(&[("channel", "x")]),
        },
        ..ReadOptions::default()
    }
}

fn check(csv: &[u8], opts: &ReadOptions, expect: Expect) {
    expect.assert_eq(&render(&read_bytes("input.csv", csv, opts)));
}

#[test]
fn the_twitter_support_export_ingests_without_rejects() {
    for (file, rows) in [("sample.csv", 93), ("twcs_head.csv", 121)] {
        let items = read_path(
            &shared_data().join("twcs").join(file),
            &twcs_options(),
            &model(),
        );
        assert_eq!(rejects(&items), Vec::<&tce_ingest::Reject>::new(), "{file}");
        let signals = signals(&items);
        assert_eq!(signals.len(), rows, "{file}");
        for s in &signals {
            assert_eq!(s.channel, "x");
            assert!(s.author.is_some() && !s.text.trim().is_empty(), "{s:?}");
            assert_eq!(s.created_at.format("%Y").to_string(), "2017", "{s:?}");
        }
        assert!(signals.iter().any(|s| s.in_reply_to.is_some()), "{file}");
    }
    let head = read_path(
        &shared_data().join("twcs/twcs_head.csv"),
        &twcs_options(),
        &model(),
    );
    expect![[r#"
        2 ok x/1 2017-10-31T22:10:47Z author=sprintcare reply_to=3 "@115712 I understand. I would "
        3 ok x/2 2017-10-31T22:11:45Z author=115712 reply_to=1 "@sprintcare and how do you pro"
        4 ok x/3 2017-10-31T22:08:27Z author=115712 reply_to=4 "@sprintcare I have sent severa"
    "#]]
    .assert_eq(&render(&head[..3]));
}

#[test]
fn a_mapping_naming_a_missing_column_is_an_error_that_names_it() {
    let mut opts = twcs_options();
    opts.csv.columns.insert("text".into(), "body".into());
    let err = SignalReader::open(&shared_data().join("twcs/sample.csv"), &opts, &model())
        .err()
        .unwrap();
    expect![[r#"the CSV mapping for text names column "body", which the header lacks (columns: tweet_id, author_id, inbound, created_at, text, response_tweet_id, in_response_to_tweet_id)"#]].assert_eq(&err.to_string());
}

#[test]
fn other_mapping_mistakes_are_errors_too() {
    let csv = b"id,text,when\n1,hi,2026-03-01\n";
    let open = |columns: &[(&str, &str)], constants: &[(&str, &str)]| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.csv");
        std::fs::write(&path, csv).unwrap();
        let opts = ReadOptions {
            format: Some(Format::Csv),
            csv: CsvOptions {
                columns: pairs(columns),
                constants: pairs(constants),
            },
            ..ReadOptions::default()
        };
        match SignalReader::open(&path, &opts, &model()) {
            Ok(_) => "opened".to_string(),
            Err(e) => e.to_string(),
        }
    };
    expect![[r#"the CSV mapping names unknown field "colour" (known: id, channel, text, created_at, brand, author, author_followers, rating, rating_scale, in_reply_to, url, lang, survey_id, stage:<stage id>)"#]].assert_eq(&open(&[("created_at", "when"), ("colour", "text")], &[("channel", "x")]));
    expect![[r#"the CSV mapping names unknown stage "boarding" (model stages: rnd, branding_pr, marketing, sales, operations, customer_service)"#]].assert_eq(&open(&[("created_at", "when"), ("stage:boarding", "text")], &[("channel", "x")]));
    expect!["no CSV column for required field channel (columns: id, text, when); map one with --map channel=COLUMN or set a constant with --set channel=VALUE"].assert_eq(&open(&[("created_at", "when")], &[]));
    expect!["opened"].assert_eq(&open(&[("created_at", "WHEN ")], &[("channel", "x")]));
    // Near misses get a suggestion; a bad constant fails the file once, naming the valid values.
    expect![[r#"the CSV mapping names unknown field "txt": did you mean "text"? (known: id, channel, text, created_at, brand, author, author_followers, rating, rating_scale, in_reply_to, url, lang, survey_id, stage:<stage id>)"#]].assert_eq(&open(&[("created_at", "when"), ("txt", "text")], &[("channel", "x")]));
    expect![[r#"the CSV mapping for created_at names column "wen", which the header lacks: did you mean "when"? (columns: id, text, when)"#]].assert_eq(&open(&[("created_at", "wen")], &[("channel", "x")]));
    expect![[r#"bad CSV constant channel=surveys: unknown channel "surveys": did you mean "survey"? (model channels: x, facebook, instagram, linkedin, youtube, tripadvisor, reddit, blog, app_store, survey, call_center, email, store, web, chat)"#]].assert_eq(&open(&[("created_at", "when")], &[("channel", "surveys")]));
    expect![[r#"bad CSV constant channel=twitter: unknown channel "twitter": did you mean "x"? (model channels: x, facebook, instagram, linkedin, youtube, tripadvisor, reddit, blog, app_store, survey, call_center, email, store, web, chat)"#]].assert_eq(&open(&[("created_at", "when")], &[("channel", "twitter")]));
    expect![[r#"bad CSV constant brand=skyways: unknown brand "skyways": did you mean "skyway"? (model brands: skyway, bluejet, aerolux, nimbus, cityhop; handles and aliases also work)"#]].assert_eq(&open(&[("created_at", "when")], &[("channel", "x"), ("brand", "skyways")]));
    expect![[r#"bad CSV constant rating_scale=stars: unknown rating scale "stars" (expected stars5, csat5 or nps10)"#]].assert_eq(&open(&[("created_at", "when")], &[("channel", "x"), ("rating_scale", "stars")]));
}

#[test]
fn month_first_dates_get_a_hint_or_are_read_with_a_date_format() {
    let csv = b"id,text,when\n1,late again,03/15/2026\n";
    let mut opts = ReadOptions {
        format: Some(Format::Csv),
        csv: CsvOptions {
            columns: pairs(&[("created_at", "when")]),
            constants: pairs(&[("channel", "x")]),
        },
        ..ReadOptions::default()
    };
    let items = read_bytes("us.csv", csv, &opts);
    let reason = match &items[0] {
        Err(r) => r.reason.clone(),
        Ok(p) => panic!("accepted {:?}", p.signal.created_at),
    };
    assert!(
        reason.contains("--date-format") && reason.contains("YYYY-MM-DD"),
        "{reason}"
    );
    opts.date_format = Some("%m/%d/%Y".into());
    let items = read_bytes("us.csv", csv, &opts);
    match &items[0] {
        Ok(p) => assert_eq!(
            p.signal.created_at.to_rfc3339(),
            "2026-03-15T00:00:00+00:00"
        ),
        Err(r) => panic!("{r}"),
    }
}

#[test]
fn a_saved_survey_mapping_reads_stage_ratings_and_rejects_bad_rows_by_physical_line() {
    let m = model();
    let saved = &m.csv_mappings["survey_export"];
    let opts = ReadOptions {
        format: None,
        csv: CsvOptions {
            columns: saved.columns.clone(),
            constants: saved.constants.clone(),
        },
        ..ReadOptions::default()
    };
    let mut csv = Vec::new();
    csv.extend_from_slice(
        b"response_id,submitted_at,brand,overall,q_operations,q_service,comment\n",
    );
    csv.extend_from_slice(
        b"r1,2026-02-01 09:30:00,SkyWay,4,5,,\"Smooth boarding,\nfriendly crew\"\n",
    );
    csv.extend_from_slice(b"r2,2026-02-01 10:00:00,bluejet,9,3,3,too many stars\n");
    csv.extend_from_slice(b"r3,2026-02-01 10:00:00,bluejet,2,x,3,bad stage answer\n");
    csv.extend_from_slice(b"r4,2026-02-01 10:00:00,bluejet,2\n");
    csv.extend_from_slice(b"r5,2026-02-01 10:00:00,nobody,2,2,2,who\n");
    csv.extend_from_slice(b"r6,2026-02-01 10:00:00,aerolux,3,3,3,caf\xe9\n");
    csv.extend_from_slice(b"r7,2026-02-01 10:00:00,aerolux,3,3,3,\n");
    csv.extend_from_slice(
        b"r8,Tue Oct 31 22:10:47 +0000 2017,@NimbusAir,1,1,2,\"said \"\"never again\"\"\"\n",
    );
    check(
        &csv,
        &opts,
        expect![[r#"
            2 ok survey/r1 2026-02-01T09:30:00Z brand=skyway rating=4/csat5 operations=5 "Smooth boarding,\nfriendly crew"
            4 REJECT bad rating: rating 9 is outside the csat5 scale (1–5)
            5 REJECT bad stage:operations "x": not a number
            6 REJECT expected 7 fields like the header, found 4
            7 REJECT unknown brand "nobody" (model brands: skyway, bluejet, aerolux, nimbus, cityhop; handles and aliases also work)
            8 REJECT invalid UTF-8 in column "comment" at byte 3
            9 REJECT missing text
            10 ok survey/r8 2017-10-31T22:10:47Z brand=nimbus rating=1/csat5 operations=1 customer_service=2 "said \"never again\""
        "#]],
    );
}

#[test]
fn same_named_columns_need_no_mapping_and_semicolons_are_detected() {
    check(
        b"id;channel;text;created_at;rating;rating_scale;author_followers\n1;tripadvisor;Great seats;2026-03-01T10:00:00Z;5;stars5;1200\n2;tripadvisor;Cramped;2026-03-01T11:00:00Z;2;stars5;lots\n",
        &ReadOptions::default(),
        expect![[r#"
            2 ok tripadvisor/1 2026-03-01T10:00:00Z followers=1200 rating=5/stars5 "Great seats"
            3 REJECT bad author_followers "lots": expected a whole number ≥ 0
        "#]],
    );
}

#[test]
fn a_byte_order_mark_and_crlf_do_not_hide_the_first_column() {
    check(
        b"\xEF\xBB\xBFid,channel,text,created_at\r\n1,web,hello,2026-03-01\r\n2,web,\"two\r\nlines\",2026-03-01\r\n3,web,,2026-03-01\r\n",
        &ReadOptions::default(),
        expect![[r#"
            2 ok web/1 2026-03-01T00:00:00Z "hello"
            3 ok web/2 2026-03-01T00:00:00Z "two\nlines"
            5 REJECT missing text
        "#]],
    );
}
