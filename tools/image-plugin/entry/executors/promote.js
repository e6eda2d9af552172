// The promote executor; see ../../load.js.
module.exports = require('../../load').load('executors/promote/executor');
