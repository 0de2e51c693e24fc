//! The inbox page: replies and questions that came back, newest first, each with its contact
//! and briefing; answer (by email), mark handled, or attach/discard what matched no one.
use crate::api::inbox::*;
use crate::components::errors::NotFoundOrError;
use crate::domain::inbound::InboxItem;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn InboxPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let answer = ServerAction::<AnswerMessage>::new();
    let handled = ServerAction::<MarkMessageHandled>::new();
    let attach = ServerAction::<AttachMessage>::new();
    let discard = ServerAction::<DiscardMessage>::new();
    let view_key = move || query.with(|q| q.get("view").unwrap_or_default());
    let data = Resource::new(
        move || {
            (
                view_key(),
                answer.version().get() + handled.version().get() + attach.version().get() + discard.version().get(),
            )
        },
        |(v, _)| inbox_messages(v),
    );
    let error = Signal::derive(move || {
        answer
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| attach.value().get().and_then(|r| r.err()))
            .or_else(|| handled.value().get().and_then(|r| r.err()))
            .or_else(|| discard.value().get().and_then(|r| r.err()))
    });
    view! {
        <Title text="Inbox – Liaison" />
        <h1>"Inbox"</h1>
        <p class="lede">
            "Replies to briefings and questions from acknowledgement pages, newest first. Bounces and automatic replies are recorded on each contact and do not wait here."
        </p>
        // One page holds a form per message, so errors are said once, at the top, in words
        // (a field error there names the message's own field).
        {move || {
            error
                .get()
                .map(|e| {
                    let text = e
                        .form_errors()
                        .map(|f| f.errors.iter().map(|x| x.message.clone()).collect::<Vec<_>>().join(". "))
                        .unwrap_or_else(|| e.to_string());
                    view! {
                        <div class="notice notice--error" role="alert">
                            <p>{text}</p>
                        </div>
                    }
                })
        }}
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let d = match data.await {
                    Ok(d) => d,
                    Err(e) => return view! { <NotFoundOrError error=e /> }.into_any(),
                };
                let current = d.view.clone();
                view! {
                    <nav aria-label="Inbox views" class="inline-links">
                        <ul>
                            {VIEWS
                                .iter()
                                .map(|(key, label)| {
                                    let here = *key == current;
                                    let text = if *key == "open" {
                                        format!("{label} ({})", d.open)
                                    } else {
                                        label.to_string()
                                    };
                                    view! {
                                        <li>
                                            <a href=format!("/inbox?view={key}") aria-current=here.then_some("page")>
                                                {text}
                                            </a>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </nav>
                    {d.items.is_empty().then(|| view! { <p>"Nothing here."</p> })}
                    <ol class="inbox">
                        {d
                            .items
                            .into_iter()
                            .map(|i| view! { <Message item=i answer handled attach discard /> })
                            .collect_view()}
                    </ol>
                }
                    .into_any()
            })}
        </Transition>
    }
}

#[component]
fn Message(
    item: InboxItem,
    answer: ServerAction<AnswerMessage>,
    handled: ServerAction<MarkMessageHandled>,
    attach: ServerAction<AttachMessage>,
    discard: ServerAction<DiscardMessage>,
) -> impl IntoView {
    let heading_id = format!("message-{}", item.id);
    let labelled_by = heading_id.clone();
    let waiting = item.kind.needs_reading() && item.handled_at.is_none() && item.answered_at.is_none();
    let received = crate::domain::time::format_london(item.received_at);
    let id = item.id.clone();
    view! {
        <li class="inbox__item" aria-labelledby=labelled_by>
            <h2 class="heading-s" id=heading_id>
                {item.subject.clone()}
            </h2>
            <p class="body-small">
                <strong class="tag">{item.kind.label()}</strong>
                " "
                {format!("From {} · {received}", item.from)}
            </p>
            <p class="body-small">
                {match &item.contact {
                    Some(c) => {
                        view! {
                            "Contact: "
                            <a href=format!("/contacts/{}", c.id)>{c.name.clone()}</a>
                        }
                            .into_any()
                    }
                    None => view! { <strong>"Not matched to a contact"</strong> }.into_any(),
                }}
                {item
                    .briefing
                    .clone()
                    .map(|b| {
                        view! {
                            " · Briefing: "
                            <a href=format!("/briefings/{}", b.id)>{b.name}</a>
                        }
                    })}
            </p>
            <blockquote class="inbox__text">{item.text.clone()}</blockquote>
            {item
                .answer
                .clone()
                .map(|a| {
                    view! {
                        <p class="body-small">
                            <strong>"Answered: "</strong>
                            {a}
                        </p>
                    }
                })}
            {(!waiting && item.answered_at.is_none())
                .then(|| {
                    item.handled_at
                        .map(|h| {
                            view! {
                                <p class="body-small">
                                    {format!("Marked handled {}", crate::domain::time::format_london(h))}
                                </p>
                            }
                        })
                })}
            {(waiting && item.contact.is_some())
                .then(|| {
                    let (answer_for, handled_for) = (id.clone(), id.clone());
                    let field = format!("answer-{id}");
                    let (label_for, hint) = (field.clone(), format!("{field}-hint"));
                    let described = hint.clone();
                    view! {
                        <details class="details">
                            <summary>"Answer by email"</summary>
                            <ActionForm action=answer attr:novalidate=true>
                                <input type="hidden" name="id" value=answer_for />
                                <div class="form-group">
                                    <label class="label" for=label_for>
                                        "Your answer"
                                    </label>
                                    <div class="hint" id=hint>
                                        "Sent from the programme's address, threaded under their message."
                                    </div>
                                    <textarea
                                        class="textarea"
                                        id=field
                                        name="answer"
                                        rows="5"
                                        aria-describedby=described
                                    ></textarea>
                                </div>
                                <button class="button" type="submit">
                                    "Send the answer"
                                </button>
                            </ActionForm>
                        </details>
                        <ActionForm action=handled>
                            <input type="hidden" name="id" value=handled_for />
                            <button class="button button--secondary button--small" type="submit">
                                "Mark handled"
                            </button>
                        </ActionForm>
                    }
                })}
            {(waiting && item.contact.is_none())
                .then(|| {
                    let (attach_for, discard_for) = (id.clone(), id.clone());
                    let field = format!("attach-{id}");
                    let label_for = field.clone();
                    view! {
                        <ActionForm action=attach attr:novalidate=true>
                            <input type="hidden" name="id" value=attach_for />
                            <div class="form-group">
                                <label class="label" for=label_for>
                                    "Attach to the contact with email address"
                                </label>
                                <input
                                    class="input input--width-20"
                                    type="email"
                                    id=field
                                    name="email"
                                    autocomplete="off"
                                />
                            </div>
                            <button class="button button--secondary" type="submit">
                                "Attach"
                            </button>
                        </ActionForm>
                        <ActionForm action=discard>
                            <input type="hidden" name="id" value=discard_for />
                            <button class="button button--warning button--small" type="submit">
                                "Discard"
                            </button>
                        </ActionForm>
                    }
                })}
        </li>
    }
}
