// The scenario executor; see ../../load.js.
module.exports = require('../../load').load('executors/scenario/executor');
