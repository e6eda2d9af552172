// The image-test executor; see ../../load.js.
module.exports = require('../../load').load('executors/image-test/executor');
