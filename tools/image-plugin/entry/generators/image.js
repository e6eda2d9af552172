// The image generator; see ../../load.js.
module.exports = require('../../load').load('generators/image/generator');
