// The push executor; see ../../load.js.
module.exports = require('../../load').load('executors/push/executor');
