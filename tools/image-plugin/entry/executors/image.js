// The image executor; see ../../load.js.
module.exports = require('../../load').load('executors/image/executor');
