// The graph-check executor; see ../../load.js.
module.exports = require('../../load').load('executors/graph-check/executor');
