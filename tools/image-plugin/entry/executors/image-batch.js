// The image executor's batch implementation; see ../../load.js.
module.exports = require('../../load').load('executors/image/batch');
