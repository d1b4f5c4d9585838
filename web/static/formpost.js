// Submits the response_mode=form_post form as soon as the page loads, as B2C's page does.
document.getElementById("auto").submit();
