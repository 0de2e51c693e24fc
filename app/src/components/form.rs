//! Accessible form pieces in the NHS.UK pattern: label, hint, error message, input, all linked
//! by ids, and an error summary at the top that links to each field.
use crate::domain::{AppError, FormErrors};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// What a form shows: the values to start from, and the errors of the last submission (with
/// the values the user typed, so nothing is lost when the page is rendered again).
#[derive(Clone, Copy)]
pub struct FormView {
    errors: Signal<Option<FormErrors>>,
    initial: StoredValue<BTreeMap<String, String>>,
}

impl FormView {
    pub fn new(errors: Signal<Option<FormErrors>>, initial: BTreeMap<String, String>) -> Self {
        Self {
            errors,
            initial: StoredValue::new(initial),
        }
    }

    /// Derives the form state from a server action's last result.
    pub fn from_result<T: Clone + Send + Sync + 'static>(
        result: Signal<Option<Result<T, AppError>>>,
        initial: BTreeMap<String, String>,
    ) -> Self {
        let errors = Signal::derive(move || {
            result
                .get()
                .and_then(|r| r.err())
                .and_then(|e| e.form_errors().cloned())
        });
        Self::new(errors, initial)
    }

    pub fn errors(&self) -> Signal<Option<FormErrors>> {
        self.errors
    }

    pub fn error(&self, field: &'static str) -> Signal<Option<String>> {
        let errors = self.errors;
        Signal::derive(move || errors.get().and_then(|e| e.message_for(field).map(String::from)))
    }

    pub fn value(&self, field: &'static str) -> Signal<String> {
        let errors = self.errors;
        let initial = self.initial;
        Signal::derive(move || {
            errors
                .get()
                .and_then(|e| e.value_of(field).map(String::from))
                .or_else(|| initial.with_value(|i| i.get(field).cloned()))
                .unwrap_or_default()
        })
    }
}

pub fn field_id(name: &str) -> String {
    format!("f-{name}")
}

/// The red box listing every problem, each a link to its field. Focus moves here on error so
/// screen-reader users hear it (the NHS.UK pattern).
#[component]
pub fn ErrorSummary(form: FormView) -> impl IntoView {
    let errors = form.errors();
    move || {
        errors.get().filter(|e| !e.is_empty()).map(|e| {
            view! {
                <div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title">
                    <h2 class="error-summary__title" id="error-summary-title">
                        "There is a problem"
                    </h2>
                    <ul class="error-summary__list">
                        {e
                            .errors
                            .into_iter()
                            .map(|fe| {
                                let href = format!("#{}", field_id(&fe.field));
                                view! {
                                    <li>
                                        <a href=href>{fe.message}</a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
    }
}

/// A notice for errors that do not belong to one field (a refusal, a conflict, a failure).
#[component]
pub fn ActionErrorNotice(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().filter(|e| e.form_errors().is_none()).map(|e| {
            view! {
                <div class="notice notice--error" role="alert">
                    <p>{e.to_string()}</p>
                </div>
            }
        })
    }
}

/// `aria-describedby` for a field: its hint (if any) and, while there is one, its error.
fn described_by(
    has_hint: bool,
    hint_id: &str,
    error_id: &str,
    error: Signal<Option<String>>,
) -> impl Fn() -> Option<String> + Send + Sync + Clone + 'static {
    let (hint_id, error_id) = (hint_id.to_string(), error_id.to_string());
    move || {
        let mut ids = vec![];
        if has_hint {
            ids.push(hint_id.clone());
        }
        if error.get().is_some() {
            ids.push(error_id.clone());
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

fn group_class(error: Option<String>) -> &'static str {
    if error.is_some() {
        "form-group form-group--error"
    } else {
        "form-group"
    }
}

#[component]
pub fn TextField(
    form: FormView,
    name: &'static str,
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] input_type: Option<&'static str>,
    #[prop(optional, into)] width: Option<&'static str>,
    #[prop(optional, into)] autocomplete: Option<&'static str>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let id = field_id(name);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let error = form.error(name);
    let value = form.value(name);
    let described = described_by(hint.is_some(), &hint_id, &error_id, error);
    let class = move || {
        let mut c = String::from("input");
        if let Some(w) = width {
            c.push_str(" input--width-");
            c.push_str(w);
        }
        if error.get().is_some() {
            c.push_str(" input--error");
        }
        c
    };
    view! {
        <div class=move || group_class(error.get())>
            <label class="label" for=id.clone()>
                {label}
            </label>
            {hint
                .map(|h| {
                    view! {
                        <div class="hint" id=hint_id.clone()>
                            {h}
                        </div>
                    }
                })}
            {move || {
                error
                    .get()
                    .map(|e| {
                        view! {
                            <p class="error-message" id=error_id.clone()>
                                <span class="visually-hidden">"Error: "</span>
                                {e}
                            </p>
                        }
                    })
            }}
            <input
                class=class
                id=id.clone()
                name=name
                type=input_type.unwrap_or("text")
                value=move || value.get()
                autocomplete=autocomplete
                required=required
                aria-describedby=described
                aria-invalid=move || error.get().map(|_| "true")
            />
        </div>
    }
}

#[component]
pub fn TextArea(
    form: FormView,
    name: &'static str,
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional)] rows: Option<u32>,
) -> impl IntoView {
    let id = field_id(name);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let error = form.error(name);
    let value = form.value(name);
    let described = described_by(hint.is_some(), &hint_id, &error_id, error);
    view! {
        <div class=move || group_class(error.get())>
            <label class="label" for=id.clone()>
                {label}
            </label>
            {hint
                .map(|h| {
                    view! {
                        <div class="hint" id=hint_id.clone()>
                            {h}
                        </div>
                    }
                })}
            {move || {
                error
                    .get()
                    .map(|e| {
                        view! {
                            <p class="error-message" id=error_id.clone()>
                                <span class="visually-hidden">"Error: "</span>
                                {e}
                            </p>
                        }
                    })
            }}
            <textarea
                class=move || if error.get().is_some() { "textarea input--error" } else { "textarea" }
                id=id.clone()
                name=name
                rows=rows.unwrap_or(4)
                aria-describedby=described
                aria-invalid=move || error.get().map(|_| "true")
                prop:value=move || value.get()
            >
                {move || value.get_untracked()}
            </textarea>
        </div>
    }
}

/// A select whose options are `(value, label)` pairs; `placeholder` adds an empty first option.
#[component]
pub fn SelectField(
    form: FormView,
    name: &'static str,
    #[prop(into)] label: String,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(optional, into)] placeholder: Option<String>,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    let id = field_id(name);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let error = form.error(name);
    let value = form.value(name);
    let described = described_by(hint.is_some(), &hint_id, &error_id, error);
    view! {
        <div class=move || group_class(error.get())>
            <label class="label" for=id.clone()>
                {label}
            </label>
            {hint
                .map(|h| {
                    view! {
                        <div class="hint" id=hint_id.clone()>
                            {h}
                        </div>
                    }
                })}
            {move || {
                error
                    .get()
                    .map(|e| {
                        view! {
                            <p class="error-message" id=error_id.clone()>
                                <span class="visually-hidden">"Error: "</span>
                                {e}
                            </p>
                        }
                    })
            }}
            <select
                class=move || if error.get().is_some() { "select input--error" } else { "select" }
                id=id.clone()
                name=name
                aria-describedby=described
                aria-invalid=move || error.get().map(|_| "true")
            >
                {placeholder.map(|p| view! { <option value="">{p}</option> })}
                {move || {
                    let current = value.get();
                    options
                        .get()
                        .into_iter()
                        .map(|(v, l)| {
                            let selected = v == current;
                            view! {
                                <option value=v selected=selected>
                                    {l}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
        </div>
    }
}

#[component]
pub fn Checkbox(
    form: FormView,
    name: &'static str,
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    let id = field_id(name);
    let value = form.value(name);
    view! {
        <div class="form-group">
            <div class="checkbox">
                <input id=id.clone() name=name type="checkbox" value="on" checked=move || !value.get().is_empty() />
                <label for=id.clone()>{label}</label>
            </div>
            {hint.map(|h| view! { <div class="hint">{h}</div> })}
        </div>
    }
}

/// A group of checkboxes that posts the ticked values as `name[]` (a server function argument
/// `Option<Vec<String>>`), each option a (value, label) pair.
#[component]
pub fn CheckboxGroup(
    #[prop(into)] legend: String,
    name: &'static str,
    options: Vec<(String, String)>,
    #[prop(optional)] checked: Vec<String>,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    let hint_id = format!("{}-hint", field_id(name));
    let described = hint.as_ref().map(|_| hint_id.clone());
    view! {
        <fieldset class="fieldset" aria-describedby=described>
            <legend class="fieldset__legend">{legend}</legend>
            {hint
                .map(|h| {
                    view! {
                        <div class="hint" id=hint_id.clone()>
                            {h}
                        </div>
                    }
                })}
            {options
                .into_iter()
                .map(|(value, label)| {
                    let id = format!("{}-{value}", field_id(name));
                    let is_checked = checked.contains(&value);
                    view! {
                        <div class="checkbox">
                            <input
                                type="checkbox"
                                id=id.clone()
                                name=format!("{name}[]")
                                value=value
                                checked=is_checked
                            />
                            <label for=id>{label}</label>
                        </div>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}
