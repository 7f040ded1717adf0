"""What our cards send back when a button is pressed: below both the cards that build it and the dialogs that read it."""
