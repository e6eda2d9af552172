// The namespace generator; see ../../load.js.
module.exports = require('../../load').load('generators/namespace/generator');
