// The source generator; see ../../load.js.
module.exports = require('../../load').load('generators/source/generator');
