/* The bilan's "Imprimer" button: shown only where the script runs, since
   it is the script that prints. */
(function () {
  'use strict';
  var button = document.getElementById('print');
  if (!button) return;
  button.hidden = false;
  button.addEventListener('click', function () { window.print(); });
})();
