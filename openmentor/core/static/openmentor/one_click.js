// One-click links in e-mails open a page whose form submits itself: a person's click acts
// at once, while a mail scanner that fetches every link (and runs no script) changes
// nothing. Without scripts the form's button does the same.
for (const form of document.querySelectorAll("form[data-one-click]")) form.requestSubmit();
