import { render } from "preact";
import { App } from "./app/App";
import "./styles.css";

// <App> asks the Rust side where things stand (`appStatus`) and applies the
// saved language before it shows any text.
const root = document.getElementById("app");
if (root) render(<App />, root);
