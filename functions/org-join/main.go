// Command org-join is the Lambda function of the portal route "org-join".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("org-join") }
