// Command org-member-role is the Lambda function of the portal route "org-member-role".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("org-member-role") }
