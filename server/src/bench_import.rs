//! `liaison bench-import`: the register import at the size of a region, on an embedded
//! on-disk database as in production. Builds a CSV of N contacts across N/10 organisations
//! (every organisation new, so the import creates them too), then times, in this process and
//! through the same code the upload and preview pages use: staging + preview, the commit, and
//! a re-import of the same file (all unchanged). Prints the peak memory (VmHWM) too.
use crate::bench::peak_memory_mb;
use app::backend::db::DbConfig;
use app::backend::repo::audit::Actor;
use app::backend::{import, Store};
use std::time::Instant;

/// A spreadsheet as a programme keeps one: N contacts, ten per organisation.
fn spreadsheet(n: usize) -> String {
    let kinds = [
        "Acute trust",
        "Primary care provider",
        "Higher education institution",
        "Community trust",
    ];
    let mut out = String::from("\u{feff}Name,Email,Job title,Organisation,Organisation kind,Influence,Interest,Engagement now,Engagement target,Tags\r\n");
    for i in 0..n {
        let org = i / 10;
        out.push_str(&format!(
            "Person {i:05},person.{i:05}@org{org:04}.example.org,\"Lead, advanced practice\",Organisation {org:04},{},{},{},Neutral,Supportive,bench\r\n",
            kinds[org % kinds.len()],
            1 + i % 5,
            1 + (i / 5) % 5,
        ));
    }
    out
}

pub async fn run(contacts: usize) -> anyhow::Result<()> {
    // One directory, emptied at the start of each run (removing it at the end would race the
    // database's own flush on close).
    let dir = std::env::temp_dir().join("liaison-bench-import");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let store = Store::open(&DbConfig {
        url: format!("surrealkv://{}", dir.join("db").display()),
        ..DbConfig::memory()
    })
    .await?;
    let actor = Actor::Other("bench".into());
    let file = spreadsheet(contacts);
    println!(
        "Importing {contacts} contacts across {} new organisations ({:.1} MB of CSV) into an on-disk database at {}",
        contacts.div_ceil(10),
        file.len() as f64 / 1e6,
        dir.display()
    );

    let t = Instant::now();
    let id = import::stage(&store, &actor, "bench.csv", file.as_bytes())
        .await
        .map_err(anyhow::Error::msg)?;
    let p = import::preview(&store, &id).await?;
    let preview = t.elapsed();
    let peak_preview = peak_memory_mb();
    anyhow::ensure!(p.counts.create as usize == contacts, "preview: {:?}", p.counts);

    let t = Instant::now();
    let result = import::commit(&store, &actor, &id).await?;
    let commit = t.elapsed();
    let peak_commit = peak_memory_mb();

    let t = Instant::now();
    let again = import::stage(&store, &actor, "bench.csv", file.as_bytes())
        .await
        .map_err(anyhow::Error::msg)?;
    let p2 = import::preview(&store, &again).await?;
    let reimport = t.elapsed();
    anyhow::ensure!(p2.counts.unchanged as usize == contacts, "re-import: {:?}", p2.counts);

    println!("upload + preview   {:>8.2} s", preview.as_secs_f64());
    println!("commit             {:>8.2} s   ({result})", commit.as_secs_f64());
    println!(
        "re-import preview  {:>8.2} s   (all {} unchanged)",
        reimport.as_secs_f64(),
        p2.counts.unchanged
    );
    println!(
        "peak memory        {:>8.0} MB (VmHWM of this process; {peak_preview:.0} MB after the preview, {peak_commit:.0} MB after the commit)",
        peak_memory_mb()
    );
    Ok(())
}
