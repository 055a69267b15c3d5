// Entry point of the Functions app (package.json "main" points at its bundle): registers every trigger.
import "./functions/requests.js";
import "./functions/status-page.js";
import "./functions/openapi.js";
import "./functions/clusters.js";
import "./functions/steps.js";
import "./functions/intake.js";
import "./functions/events.js";
import "./functions/upgrades.js";
import "./functions/timer.js";
