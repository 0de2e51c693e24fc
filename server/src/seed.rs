//! Loads the demo programme (see `demo_data`) into an empty register, through the same
//! validated drafts and repositories the application uses.
use crate::demo_data;
use anyhow::{anyhow, Context};
use app::backend::auth::hash_password;
use app::backend::repo::audit::Actor;
use app::backend::Store;
use app::domain::policy::Role;
use app::domain::*;

/// Demo sign-ins, documented in the README for the demo only. A real deployment never gets
/// them: see [`demo_refusal`].
pub const DEMO_MANAGER: (&str, &str, &str) = ("manager@liaison.example.org", "Pat Manager", "demo-manager-password");
pub const DEMO_LEAD_PASSWORD: &str = "demo-lead-password";
/// (email, name) of the lead of each demo workstream, in the order of `demo_data::WORKSTREAMS`.
pub const DEMO_LEADS: &[(&str, &str)] = &[
    ("baseline.lead@liaison.example.org", "Bea Baseline"),
    ("workshops.lead@liaison.example.org", "Hari Workshops"),
    ("practitioners.lead@liaison.example.org", "Priya Practitioner"),
    ("comms.lead@liaison.example.org", "Cam Communications"),
    ("toolkit.lead@liaison.example.org", "Tom Toolkit"),
];

/// Why the demo may not be loaded here, or `None` when it may. The demo's accounts have
/// passwords published in the README, so it goes only where nobody can rely on the database:
/// never behind an https public URL (a real deployment), and only into a database with no users
/// and no organisations (a manager made with `liaison user add` keeps a database demo-free).
pub async fn demo_refusal(store: &Store, public_url: Option<&str>) -> anyhow::Result<Option<String>> {
    if public_url.is_some_and(|u| u.to_ascii_lowercase().starts_with("https://")) {
        return Ok(Some(format!(
            "LIAISON_PUBLIC_URL is https ({}), which is a real deployment: the demo accounts' passwords are public",
            public_url.unwrap_or_default()
        )));
    }
    let users = store.users().count().await?;
    let organisations = store.organisations().count().await?;
    if users > 0 || organisations > 0 {
        return Ok(Some(format!(
            "the database already holds {users} user(s) and {organisations} organisation(s); the demo only goes into an empty one"
        )));
    }
    Ok(None)
}

/// Loads the demo programme where [`demo_refusal`] allows it. Returns the reason when it did not.
pub async fn seed_demo(store: &Store, public_url: Option<&str>) -> anyhow::Result<Result<(), String>> {
    if let Some(reason) = demo_refusal(store, public_url).await? {
        return Ok(Err(reason));
    }
    load_demo(store).await?;
    Ok(Ok(()))
}

async fn load_demo(store: &Store) -> anyhow::Result<()> {
    let actor = Actor::Other("demo seed".into());
    let mut org_ids = Vec::with_capacity(demo_data::ORGANISATIONS.len());
    for o in demo_data::ORGANISATIONS {
        let form = OrganisationForm {
            name: o.name.into(),
            kind: o.kind.key().into(),
            area: o.area.into(),
            ods_code: o.ods_code.unwrap_or_default().into(),
            ukprn: o.ukprn.unwrap_or_default().into(),
            notes: String::new(),
        };
        let draft = form
            .parse()
            .map_err(|e| anyhow!("demo organisation {:?} is invalid: {:?}", o.name, e.errors))?;
        let id = store
            .organisations()
            .create(&actor, &draft)
            .await
            .with_context(|| format!("creating {}", o.name))?;
        org_ids.push(id);
    }
    for c in demo_data::contacts() {
        let org = org_ids
            .get(c.org_index)
            .ok_or_else(|| anyhow!("demo contact {} has no organisation", c.name))?;
        let form = ContactForm {
            name: c.name.clone(),
            email: c.email.clone(),
            job_title: c.job_title.into(),
            organisation: org.to_string(),
            influence: c.influence.to_string(),
            interest: c.interest.to_string(),
            engagement_current: c.engagement_current.key().into(),
            engagement_target: c.engagement_target.key().into(),
            subscribed: c.subscribed.then(|| "on".into()),
            tags: c.tags.clone(),
        };
        let draft = form
            .parse()
            .map_err(|e| anyhow!("demo contact {:?} is invalid: {:?}", c.name, e.errors))?;
        store
            .contacts()
            .create(&actor, &draft)
            .await
            .with_context(|| format!("creating {}", c.name))?;
    }
    // The demo register reads as if it was entered when the programme began, four months ago,
    // so the map can show how people moved since any date after that.
    store
        .db()
        .query("UPDATE engagement_change SET at = time::now() - 120d RETURN NONE")
        .await
        .context("dating the demo register's engagement history")?
        .check()
        .context("dating the demo register's engagement history")?;
    seed_people_and_workstreams(store).await?;
    tracing::info!(
        organisations = demo_data::ORGANISATIONS.len(),
        contacts = demo_data::CONTACT_COUNT,
        "loaded the demo programme"
    );
    Ok(())
}

async fn seed_people_and_workstreams(store: &Store) -> anyhow::Result<()> {
    let email = |e: &str| EmailAddress::parse(e).map_err(|m| anyhow!("demo email {e}: {m}"));
    let (pm_email, pm_name, pm_password) = DEMO_MANAGER;
    store
        .users()
        .create(
            &email(pm_email)?,
            pm_name,
            Role::ProgrammeManager,
            &hash_password(pm_password.into()).await?,
        )
        .await?;
    let lead_hash = hash_password(DEMO_LEAD_PASSWORD.into()).await?;
    for (position, (ws, &(lead_email, lead_name))) in demo_data::WORKSTREAMS.iter().zip(DEMO_LEADS).enumerate() {
        let lead = store
            .users()
            .create(&email(lead_email)?, lead_name, Role::WorkstreamLead, &lead_hash)
            .await?;
        let id = store
            .workstreams()
            .create(ws.name, ws.aim, position as i64 + 1, Some(&lead))
            .await?;
        let actor = Actor::Other("demo seed".into());
        for (title, due) in ws.milestones {
            let draft = app::domain::workstream::parse_milestone(title, due)
                .map_err(|e| anyhow!("demo milestone {title:?} is invalid: {:?}", e.errors))?;
            store.workstreams().add_milestone(&actor, &id, &draft).await?;
        }
        for (days_ago, rag, summary, risks) in demo_history(position) {
            let form = app::domain::workstream::StatusForm {
                rag: rag.into(),
                summary: summary.into(),
                risks: risks.into(),
                ..Default::default()
            };
            let draft = form
                .parse()
                .map_err(|e| anyhow!("demo status is invalid: {:?}", e.errors))?;
            let at = chrono::Utc::now() - chrono::Duration::days(days_ago);
            store
                .workstreams()
                .post_status(&actor, lead_name, &id, &draft, at)
                .await?;
        }
    }
    seed_plan(store).await?;
    println!("Demo sign-ins (demo data only; see README):");
    println!("  programme manager: {pm_email} / {pm_password}");
    for (lead_email, _) in DEMO_LEADS {
        println!("  workstream lead:   {lead_email} / {DEMO_LEAD_PASSWORD}");
    }
    Ok(())
}

/// A plausible status history per demo workstream: (days ago, RAG, summary, risks).
fn demo_history(position: usize) -> Vec<(i64, &'static str, &'static str, &'static str)> {
    match position {
        0 => vec![
            (120, "green", "Survey instruments agreed with HEIs and trusts.", ""),
            (
                60,
                "amber",
                "Trust response rate at 45%; chasing non-responders.",
                "Low response from primary care may skew the baseline.",
            ),
            (
                9,
                "green",
                "Responses from 14 of 15 trusts and all HEIs; analysis under way.",
                "",
            ),
        ],
        1 => vec![
            (90, "green", "Workshop series scheduled with all ten HEIs.", ""),
            (
                5,
                "amber",
                "PgCert learning outcomes drafted; two HEIs yet to agree titles.",
                "September intake readiness depends on validation panels.",
            ),
        ],
        2 => vec![(40, "green", "Core competency framework out for consultation.", "")],
        3 => vec![
            (70, "green", "Communication plan approved by the programme board.", ""),
            (20, "green", "Monthly partner briefing established.", ""),
        ],
        _ => vec![(35, "not_started", "Senior leader group being convened.", "")],
    }
}

/// Demo audiences and a communication plan in the shape programme teams keep in spreadsheets.
async fn seed_plan(store: &Store) -> anyhow::Result<()> {
    use app::domain::briefing::BriefingDraft;
    use app::domain::plan::{Channel, Frequency, InstanceMode, PlanDraft};
    use app::domain::segment::SegmentFilter;
    let actor = Actor::Other("demo seed".into());
    let all = store
        .segments()
        .create(&actor, "All partners", &SegmentFilter::default())
        .await?;
    let heis = store
        .segments()
        .create(
            &actor,
            "Universities (HEIs)",
            &SegmentFilter {
                kinds: vec![OrgKind::Hei],
                ..Default::default()
            },
        )
        .await?;
    let bsol = SegmentFilter {
        kinds: vec![OrgKind::AcuteTrust],
        areas: vec!["Birmingham and Solihull".into()],
        ..Default::default()
    };
    store
        .segments()
        .create(&actor, "Acute trusts in Birmingham and Solihull", &bsol)
        .await?;
    let leaders = SegmentFilter {
        kinds: vec![OrgKind::AcuteTrust, OrgKind::CommunityTrust, OrgKind::MentalHealthTrust],
        influence_min: 4,
        ..Default::default()
    };
    let leaders = store
        .segments()
        .create(&actor, "Trust senior leaders", &leaders)
        .await?;
    let course_leads = SegmentFilter {
        tags: app::domain::Tags::parse("course lead").map_err(|e| anyhow!(e))?,
        ..Default::default()
    };
    store
        .segments()
        .create(&actor, "HEI course leads", &course_leads)
        .await?;
    let ws = store.workstreams().list().await?;
    let ws_named = |n: &str| {
        ws.iter()
            .filter(|w| w.name == n)
            .map(|w| w.id.to_string())
            .collect::<Vec<_>>()
    };
    let today = app::domain::workstream::today_in_london(chrono::Utc::now());
    let items = [
        (
            all.clone(),
            "Keep every partner informed of programme progress",
            "What each workstream delivered this month, and what comes next",
            Channel::EmailBriefing,
            Frequency::Monthly,
            "Programme manager",
            ws.iter().map(|w| w.id.to_string()).collect::<Vec<_>>(),
            "Acknowledgement rate; replies to the programme inbox",
        ),
        (
            heis.clone(),
            "Prepare HEIs for the PgCert intake",
            "Agreed titles and learning outcomes; readiness for the September intake",
            Channel::EmailBriefing,
            Frequency::Fortnightly,
            "HEI workshops lead",
            ws_named("HEI workshops"),
            "Workshop attendance and feedback forms",
        ),
        (
            heis,
            "Agree PgCert learning outcomes",
            "Shape the curriculum together",
            Channel::Workshop,
            Frequency::Monthly,
            "HEI workshops lead",
            ws_named("HEI workshops"),
            "Workshop evaluation",
        ),
        (
            leaders,
            "Shape the deployment toolkit with senior leaders",
            "How Advanced Practitioners will be deployed in your trust",
            Channel::EmailBriefing,
            Frequency::Quarterly,
            "Deployment toolkit lead",
            ws_named("Deployment toolkit"),
            "Senior leader survey",
        ),
    ];
    let mut monthly = None;
    for (segment, objective, message, channel, frequency, owner, workstreams, feedback) in items {
        let draft = PlanDraft {
            segment,
            objective: objective.into(),
            key_message: message.into(),
            channel,
            frequency,
            owner: owner.into(),
            start: today + chrono::Duration::days(7),
            end: None,
            workstreams,
            feedback: feedback.into(),
            send_time: chrono::NaiveTime::from_hms_opt(9, 0, 0).ok_or_else(|| anyhow!("09:00"))?,
            instances: InstanceMode::Draft,
        };
        let id = store.plan().create(&actor, &draft).await?;
        if channel == Channel::EmailBriefing && frequency == Frequency::Monthly {
            monthly = Some((id, draft));
        }
    }
    // The monthly programme briefing repeats with its plan item: each month's instance appears
    // as a draft two weeks ahead, for the programme manager to review and send.
    if let Some((item_id, item)) = monthly {
        let template = BriefingDraft {
            subject: "West Midlands ACP programme briefing".into(),
            body: "Dear colleague,\n\nThis is the programme's monthly briefing. The current status of each workstream follows.\n\nPlease confirm you have read it.".into(),
            segment: item.segment.clone(),
            workstreams: item.workstreams.clone(),
            ack_required: true,
            ack_deadline: Some(item.start + chrono::Duration::days(10)),
            remind_days_before: Some(3),
        };
        let id = store.briefings().create(&actor, &template, "Programme manager").await?;
        let item = store.plan().get(&item_id).await?;
        store.briefings().repeat(&actor, &id, &item, chrono::Utc::now()).await?;
    }
    Ok(())
}
