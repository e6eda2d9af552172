// Target inference (createNodes), as nx.json's "plugins" names it; see load.js for how the compiled or source module is chosen.
module.exports = require('./load').load('plugins/plugin');
