//! The outcomes CSV reader shared by `tce outcomes import` and `tce demo`.

use crate::model;
use expect_test::expect;
use tce_ingest::outcomes::read_outcomes;

fn render(csv: &str) -> String {
    match read_outcomes(csv.as_bytes(), "outcomes.csv", &model()) {
        Err(e) => format!("error: {e}"),
        Ok(o) => {
            let mut out: Vec<String> = o
                .rows
                .iter()
                .map(|r| {
                    format!(
                        "{} {} {} {:?} {:?}",
                        r.period_start, r.brand, r.revenue, r.customers, r.return_visits
                    )
                })
                .collect();
            out.extend(o.rejects.iter().map(ToString::to_string));
            out.join("\n")
        }
    }
}

#[test]
fn rows_parse_brands_resolve_and_bad_rows_are_rejected_by_line() {
    expect![[r#"
        2026-03-02 skyway 125000.5 Some(4100.0) None
        2026-03-02 nimbus 90000 None None
        outcomes.csv:4: period "03/09/2026" is not a day YYYY-MM-DD (the first day of the period, e.g. 2026-03-02)
        outcomes.csv:5: unknown brand "skyways": did you mean "skyway"? (model brands: skyway, bluejet, aerolux, nimbus, cityhop; handles and aliases also work)
        outcomes.csv:6: revenue "lots" is not a number ≥ 0"#]]
    .assert_eq(&render(
        "period,brand,revenue,customers\n\
         2026-03-02,SkyWay,125000.5,4100\n\
         2026-03-02,nimbus,90000,\n\
         03/09/2026,skyway,1,1\n\
         2026-03-09,skyways,1,1\n\
         2026-03-09,skyway,lots,1\n",
    ));
    expect!["error: an outcomes CSV needs columns period, brand, revenue (optional customers, return_visits); found: week, brand, sales"]
        .assert_eq(&render("week,brand,sales\n2026-03-02,skyway,1\n"));
}
