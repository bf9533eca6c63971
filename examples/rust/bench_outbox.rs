//! Benchmark of the outbox (issue 3), printed side by side with its floor in one run:
//! - rendering 100,000 notifications with portail's compiled templates, beside the floor: the
//!   same template split once into pieces and filled with `push_str`;
//! - dispatching 10,000 pending notifications to the `.eml` file mailer, on the memory store and
//!   on the embedded SQLite store (notifications per second).
//!
//! ```text
//! cargo run --release -p portail --example bench_outbox
//! ```

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use portail::*;

const RENDERS: usize = 100_000;
const DISPATCHES: usize = 10_000;

fn main() -> Result<()> {
    render()?;
    dispatch("memory store", None)?;
    let dir = tempfile_dir("bench-outbox-sqlite")?;
    dispatch("SQLite store", Some(&dir))?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn tempfile_dir(name: &str) -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("portail-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(Error::storage)?;
    Ok(dir)
}

fn render() -> Result<()> {
    let t = Template::default_for(
        Audience::Client,
        TemplatePurpose::DocumentAvailable,
        Language::French,
    );
    let compiled = t.compile()?;
    let names: Vec<String> = (0..RENDERS).map(|i| format!("FA-{i:06}.pdf")).collect();
    let parties: Vec<String> = (0..RENDERS).map(|i| format!("CLIENT {i}")).collect();

    // portail: compiled pieces, merge values per notification.
    let start = Instant::now();
    let mut total = 0usize;
    for i in 0..RENDERS {
        let v = MergeValues {
            document: Some(&names[i]),
            link: Some("https://masociete.fr/clients/account-statement"),
            company: Some("MA SOCIETE"),
            domain: Some("masociete.fr"),
            name: Some(&parties[i]),
            identifier: None,
            date: Some("08/03/2019"),
            password: None,
        };
        total += black_box(compiled.render_subject(&v)).len()
            + black_box(compiled.render_body(&v)).len();
    }
    let portail = start.elapsed();

    // Floor: split once by hand, fill with push_str.
    enum P<'a> {
        T(&'a str),
        F(usize),
    }
    fn split(s: &str) -> Vec<P<'_>> {
        let fields = [
            "#document#",
            "#lien#",
            "#société#",
            "#domaine#",
            "#nom#",
            "#date#",
        ];
        let mut out = Vec::new();
        let mut rest = s;
        'outer: while !rest.is_empty() {
            for (i, f) in fields.iter().enumerate() {
                if let Some(pos) = rest.find(f) {
                    let earliest = fields
                        .iter()
                        .filter_map(|g| rest.find(g))
                        .min()
                        .unwrap_or(pos);
                    if earliest == pos {
                        out.push(P::T(&rest[..pos]));
                        out.push(P::F(i));
                        rest = &rest[pos + f.len()..];
                        continue 'outer;
                    }
                }
            }
            out.push(P::T(rest));
            break;
        }
        out
    }
    let subject = split(&t.subject);
    let body = split(&t.body);
    let start = Instant::now();
    let mut floor_total = 0usize;
    for i in 0..RENDERS {
        let values = [
            names[i].as_str(),
            "https://masociete.fr/clients/account-statement",
            "MA SOCIETE",
            "masociete.fr",
            parties[i].as_str(),
            "08/03/2019",
        ];
        for pieces in [&subject, &body] {
            let mut s = String::with_capacity(512);
            for p in pieces.iter() {
                match p {
                    P::T(t) => s.push_str(t),
                    P::F(f) => s.push_str(values[*f]),
                }
            }
            floor_total += black_box(s).len();
        }
    }
    let floor = start.elapsed();
    assert_eq!(total, floor_total, "both render the same text");
    println!("render {RENDERS} notifications");
    println!(
        "  portail templates : {:>8.1} ms",
        portail.as_secs_f64() * 1e3
    );
    println!(
        "  floor (push_str)  : {:>8.1} ms",
        floor.as_secs_f64() * 1e3
    );
    println!(
        "  ratio             : {:>8.2}x   (target <= 3x)",
        portail.as_secs_f64() / floor.as_secs_f64()
    );
    Ok(())
}

fn dispatch(label: &str, sqlite_dir: Option<&std::path::Path>) -> Result<()> {
    let outbox = tempfile_dir(&format!("bench-outbox-eml-{}", label.replace(' ', "-")))?;
    let mut builder =
        Portal::builder("bench").settings(Settings::new("MA SOCIETE", "masociete.fr"));
    if let Some(dir) = sqlite_dir {
        builder = builder.data_dir(dir)?;
    }
    let portal = builder
        .mailer(Arc::new(FileMailer::open(&outbox)?))
        .build()?;
    let codes: Vec<String> = (0..DISPATCHES).map(|i| format!("E{i:05}")).collect();
    for code in &codes {
        portal
            .parties()
            .upsert(Party::employee(code.clone(), "SALARIE").email(
                EmailRole::Main,
                format!("{}@example.fr", code.to_lowercase()),
            ))?;
    }
    let commands = codes
        .iter()
        .map(|c| {
            Publish::employee(
                c.clone(),
                "Bulletins",
                "BP.pdf",
                portail::pdf::sample_pdf(&[&format!("bulletin {c}")]),
            )
            .kind(DocumentKind::Payslip)
        })
        .collect();
    let published = portal.documents().publish_many(commands, &|_| {})?;
    if published.notifications_queued as usize != DISPATCHES {
        let first_error = published.outcomes.iter().find_map(|o| o.as_ref().err());
        return Err(Error::storage(format!(
            "setup: {} notifications queued for {} published (first error: {first_error:?})",
            published.notifications_queued, published.published
        )));
    }
    // The floor once before portail too: the first 10,000 files of a fresh folder cost more
    // than the next, so each order is shown.
    let floor_before = write_files(
        &format!("before-{}", label.replace(' ', "-")),
        &vec![vec![b'x'; 600]; DISPATCHES],
    )?;
    let start = Instant::now();
    let report = portal.dispatch(DISPATCHES as u32)?;
    let took = start.elapsed();
    assert_eq!(report.sent as usize, DISPATCHES, "{report:?}");
    let files: Vec<std::path::PathBuf> = std::fs::read_dir(&outbox)
        .map_err(Error::storage)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    assert_eq!(files.len(), DISPATCHES);
    let contents: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(f).unwrap_or_default())
        .collect();
    let floor = write_files(&format!("after-{}", label.replace(' ', "-")), &contents)?;
    println!("dispatch {DISPATCHES} pending notifications to .eml files ({label})");
    println!(
        "  portail dispatch        : {:>8.1} ms, {:>8.0} notifications/s   (target >= 10,000/s)",
        took.as_secs_f64() * 1e3,
        DISPATCHES as f64 / took.as_secs_f64()
    );
    for (when, f) in [("before", floor_before), ("after", floor)] {
        println!(
            "  floor, files written {when:<6}: {:>8.1} ms, {:>8.0} files/s; ratio {:.2}x",
            f.as_secs_f64() * 1e3,
            DISPATCHES as f64 / f.as_secs_f64(),
            took.as_secs_f64() / f.as_secs_f64()
        );
    }
    let _ = std::fs::remove_dir_all(&outbox);
    Ok(())
}

/// The floor: the file system alone, writing these bytes the way FileMailer does (temporary
/// file, then rename) into a fresh folder, with no store, no claim and no message building.
fn write_files(name: &str, contents: &[Vec<u8>]) -> Result<std::time::Duration> {
    let dir = tempfile_dir(&format!("bench-outbox-floor-{name}"))?;
    let start = Instant::now();
    for (i, bytes) in contents.iter().enumerate() {
        let path = dir.join(format!("{i:032x}.eml"));
        let tmp = path.with_extension("eml.tmp");
        std::fs::write(&tmp, bytes)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(Error::storage)?;
    }
    let took = start.elapsed();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(took)
}
