// Altair's loader checks window.VEGA_DEBUG for the versions of Vega, Vega-Lite and vega-embed
// already on the page; with it set, it uses the bundle served with the site and never asks a CDN.
window.VEGA_DEBUG = __VERSIONS__;
