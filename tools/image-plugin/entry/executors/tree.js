// The tree executor; see ../../load.js.
module.exports = require('../../load').load('executors/tree/executor');
