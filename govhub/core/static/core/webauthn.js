// Security keys (govhub/core/webauthn.py): what follows the library's ceremonies on our pages.
// After a key is registered, go where the page says (the recovery codes, or the list of keys);
// after a key confirmed a removal, send the removal form.
document.addEventListener("otp_webauthn.register_complete", () => {
  const done = document.querySelector("[data-webauthn-done]");
  if (done) window.location.assign(done.dataset.webauthnDone);
});
document.addEventListener("otp_webauthn.verification_complete", () => {
  const form = document.querySelector("form[data-webauthn-confirm]");
  if (form) form.submit();
});
