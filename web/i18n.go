package web

import (
	"regexp"
	"strings"
)

// translations hold the built-in page strings of each language but English, keyed by the
// English text. Connector messages are not translated: they come from the API as the user
// should see them (the API receives ui_locales for that).
var translations = map[string]map[string]string{
	"es": {
		// Page titles.
		"Sign up or sign in": "Registrarse o iniciar sesión",
		"Sign up":            "Registrarse",
		"User details":       "Datos del usuario",
		// Unified sign-in and provider choice.
		"Sign in with your social account":    "Iniciar sesión con su cuenta de redes sociales",
		"Sign in with your email address":     "Iniciar sesión con su dirección de correo electrónico",
		"Sign up with":                        "Registrarse con",
		"Email signup":                        "Registro con correo electrónico",
		"OR":                                  "O",
		"Email Address":                       "Dirección de correo electrónico",
		"Password":                            "Contraseña",
		"Sign in":                             "Iniciar sesión",
		"Don't have an account?":              "¿No tiene una cuenta?",
		"Sign up now":                         "Registrarse ahora",
		"Forgot your password?":               "¿Olvidó su contraseña?",
		"Keep me signed in":                   "Mantener la sesión iniciada",
		"Cancel":                              "Cancelar",
		"Please enter your Email Address":     "Escriba su dirección de correo electrónico",
		"Please enter your password":          "Escriba su contraseña",
		"We can't seem to find your account.": "No encontramos su cuenta.",
		"Your password is incorrect.":         "La contraseña no es correcta.",
		// Self-asserted pages.
		"Please provide the following details.":                   "Proporcione los datos siguientes.",
		"Create your account by providing the following details.": "Para crear su cuenta, proporcione los datos siguientes.",
		"Create":                        "Crear",
		"New Password":                  "Nueva contraseña",
		"Confirm New Password":          "Confirmar nueva contraseña",
		"Yes":                           "Sí",
		"No":                            "No",
		"Display Name":                  "Nombre para mostrar",
		"Given Name":                    "Nombre",
		"Surname":                       "Apellido",
		"Job Title":                     "Puesto",
		"Street Address":                "Dirección",
		"City":                          "Ciudad",
		"Postal Code":                   "Código postal",
		"State/Province":                "Estado o provincia",
		"Country/Region":                "País o región",
		"This information is required.": "Esta información es obligatoria.",
		"A required field is missing. Please fill out all required fields and try again.":                      "Falta un campo obligatorio. Rellene todos los campos obligatorios e inténtelo de nuevo.",
		"One or more fields are filled out incorrectly. Please check your entries and try again.":              "Uno o varios campos no son correctos. Compruebe los datos e inténtelo de nuevo.",
		"The password entry fields do not match. Please enter the same password in both fields and try again.": "Las contraseñas no coinciden. Escriba la misma contraseña en ambos campos e inténtelo de nuevo.",
		"A user with the specified ID already exists. Please choose a different one.":                          "Ya existe un usuario con el identificador especificado. Elija otro.",
		"Claim not verified: email":                               "Reclamación no comprobada: email",
		"An account could not be found for the provided user ID.": "No se encontró ninguna cuenta para el identificador de usuario proporcionado.",
		"Please enter a valid email address.":                     "Escriba una dirección de correo electrónico válida.",
		"The password must be between 8 and 64 characters and contain 3 out of 4 of the following: lowercase characters, uppercase characters, digits (0-9), and one or more symbols.": "La contraseña debe tener entre 8 y 64 caracteres y contener 3 de los 4 tipos siguientes: minúsculas, mayúsculas, dígitos (0-9) y uno o varios símbolos.",
		"Please enter a whole number.":             "Escriba un número entero.",
		"Please choose true or false.":             "Elija sí o no.",
		"Please enter no more than %d characters.": "No escriba más de %d caracteres.",
		"The characters < and > are not allowed.":  "No se permiten los caracteres < y >.",
		// The fake identity provider.
		"Sign in to %s": "Iniciar sesión en %s",
		"This page stands in for %s's sign-in; b2cemu returns the identity you choose.": "Esta página sustituye al inicio de sesión de %s; b2cemu devuelve la identidad que elija.",
		"Sign in as another identity": "Iniciar sesión con otra identidad",
		"Email":                       "Correo electrónico",
		"Display name":                "Nombre para mostrar",
		"Given name":                  "Nombre",
		"Subject (issuerAssignedId)":  "Sujeto (issuerAssignedId)",
		"Claims the provider sends (a JSON object, optional)": "Notificaciones que envía el proveedor (un objeto JSON, opcional)",
		"Laid over the identity you choose, under the provider's claim names: sub, email, name, given_name, family_name, or any other (null: the provider sends none).": "Se aplican sobre la identidad que elija, con los nombres de notificación del proveedor: sub, email, name, given_name, family_name o cualquier otro (null: el proveedor no la envía).",
		"This account already exists: signing in will not run the sign-up API connectors.":                                                                              "Esta cuenta ya existe: al iniciar sesión no se ejecutarán los conectores de API de registro.",
		"Delete this user, to sign up again":                       "Eliminar este usuario para registrarse de nuevo",
		"To sign up again, delete the user through the admin API:": "Para registrarse de nuevo, elimine el usuario con la API de administración:",
		// Error, sign-out and form_post pages.
		"Sorry, but we're having trouble signing you in.": "Lo sentimos, pero tenemos problemas para iniciar su sesión.",
		"We track these errors automatically, but if the problem persists feel free to contact us. In the meantime, please try again.": "Hacemos un seguimiento automático de estos errores, pero si el problema continúa, póngase en contacto con nosotros. Mientras tanto, inténtelo de nuevo.",
		"Correlation ID:":                  "Id. de correlación:",
		"Timestamp:":                       "Marca de tiempo:",
		"You have signed out.":             "Ha cerrado la sesión.",
		"Back to the emulator's home page": "Volver a la página principal del emulador",
		"Continue":                         "Continuar",
		"Script is disabled. Press Continue to return to the application.":                                                "Los scripts están deshabilitados. Pulse Continuar para volver a la aplicación.",
		"Your sign-in session has expired or was already completed. Please go back to the application and sign in again.": "Su sesión de inicio ha caducado o ya se completó. Vuelva a la aplicación e inicie sesión de nuevo.",
		"This page was already submitted. Please go back to the application and sign in again.":                           "Esta página ya se envió. Vuelva a la aplicación e inicie sesión de nuevo.",
	},
}

// Languages are the languages with a complete string table, English first.
var Languages = []string{"en", "es"}

var number = regexp.MustCompile(`\d+`)

// language picks the page language from a ui_locales or Accept-Language value: a language
// with a string table, else English.
func language(locale string) string {
	tag := strings.ToLower(strings.TrimSpace(locale))
	if i := strings.IndexAny(tag, "-_"); i > 0 {
		tag = tag[:i]
	}
	if _, ok := translations[tag]; ok {
		return tag
	}
	return "en"
}

// translator returns the function that translates built-in English strings into lang; text
// it does not know (a connector's userMessage) is returned as it is.
func translator(lang string) func(string) string {
	table := translations[lang]
	if table == nil {
		return func(s string) string { return s }
	}
	return func(s string) string {
		if t, ok := table[s]; ok {
			return t
		}
		if n := number.FindString(s); n != "" { // messages with a number, e.g. a length limit
			if t, ok := table[strings.Replace(s, n, "%d", 1)]; ok {
				return strings.Replace(t, "%d", n, 1)
			}
		}
		return s
	}
}
