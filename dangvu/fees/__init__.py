"""Party fees (đảng phí): each member's fee basis, the cell's monthly book, shares and remittances."""
